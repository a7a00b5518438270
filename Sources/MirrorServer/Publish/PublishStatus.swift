import Glibc
import MirrorCore
import MirrorDocument

/// How one publish pump fares, for `/healthz` (PROTOCOL.md, "Health"): when a post last
/// succeeded, and since when posts fail. A value the pump keeps under a lock, updated on its loop
/// after each post and read by any request.
struct PublishStatus: Sendable {
    /// Wall-clock time, which an operator compares with their own clock and logs.
    struct Instant: Sendable, Equatable {
        let seconds: Int64
        let nanoseconds: Int64

        static var now: Instant {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return Instant(seconds: Int64(now.tv_sec), nanoseconds: Int64(now.tv_nsec))
        }

        /// RFC 3339 §5.6, UTC, to the millisecond.
        var rfc3339: String {
            ManifestEntry.rfc3339(seconds: seconds, nanoseconds: nanoseconds / 1_000_000 * 1_000_000)
        }
    }

    private(set) var lastSuccess: Instant?
    /// The first failure since the last success (no connection, no answer in time, a 5xx).
    private(set) var failingSince: Instant?

    mutating func succeeded(at now: Instant = .now) {
        lastSuccess = now
        failingSince = nil
    }

    mutating func failed(at now: Instant = .now) {
        if failingSince == nil { failingSince = now }
    }

    /// `{"target": …, "last_success": …, "failing_since": …, "queued": …}`: the target as
    /// ``PublishTarget/description`` writes it (a password as `***`), times or null, and how
    /// many streams' states wait to be posted there.
    func json(target: PublishTarget, queued: Int) -> JSONValue {
        let time = { (instant: Instant?) -> JSONValue in instant.map { .string($0.rfc3339) } ?? .null }
        let keys = ["target", "last_success", "failing_since", "queued"]
        let values: [JSONValue] = [.string(target.description), time(lastSuccess), time(failingSince), .number(JSONNumber(queued))]
        return .object(JSONObject(uniqueKeys: keys, values: values))
    }
}

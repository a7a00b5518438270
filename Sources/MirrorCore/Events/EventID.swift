import Glibc

/// Ids that name versions of a stream's state: `<run>-<version>`.
///
/// `version` counts states of one stream from 1 in this run of the server; `run` tells runs apart
/// (base-36 milliseconds since the epoch at start, then four random base-36 digits, so two
/// servers started in the same millisecond differ too), so an id a client kept from before a
/// restart never names a different state of the same stream and never gets a patch against one. Both parts are `[0-9a-z]`, so an id can
/// never hold the CR, LF or NUL the WHATWG rules forbid in an `id:` field.
public struct EventID: Hashable, Sendable, CustomStringConvertible {
    public var run: String
    public var version: UInt64

    public init(run: String, version: UInt64) {
        self.run = run
        self.version = version
    }

    /// Reads an id a client sent back (`Last-Event-ID`); nil for anything this server never sent.
    ///
    /// Only the canonical form is an id: exactly what ``description`` writes, a version from 1
    /// without a sign, leading zeros or spaces (`UInt64("+0002")` is 2). `<run>-0002` is no
    /// spelling of version 2 this server ever sent, so it resumes nothing: the client gets the
    /// current state (PROTOCOL.md, "Resuming").
    public init?(parsing text: String) {
        guard let dash = text.lastIndex(of: "-"), dash != text.startIndex else { return nil }
        let run = text[..<dash]
        guard run.utf8.count <= 16, run.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }),
            let version = Self.canonicalVersion(text[text.index(after: dash)...])
        else { return nil }
        self.init(run: String(run), version: version)
    }

    /// A version as ``description`` writes it: decimal digits, no leading zero, from 1, in range.
    static func canonicalVersion(_ text: Substring) -> UInt64? {
        guard let first = text.utf8.first, first != 0x30, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }

    public var description: String { "\(run)-\(version)" }

    /// A run name for a server starting now.
    public static func newRun() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let milliseconds = UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
        let random = String(UInt64.random(in: 0..<1_679_616), radix: 36)
        return String(milliseconds, radix: 36) + String(repeating: "0", count: 4 - random.count) + random
    }
}

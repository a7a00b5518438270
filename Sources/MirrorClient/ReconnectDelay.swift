/// How long a follower waits before it reconnects: the stream's reconnection time (WHATWG HTML
/// §9.2.3), set by `retry:` and capped, plus a little jitter so that clients dropped together do
/// not all return in the same millisecond.
public struct ReconnectDelay: Sendable, Equatable {
    /// Browsers' usual reconnection time before a stream names one (the spec leaves it to them; 3 s
    /// is what Firefox and Chromium use).
    public static let defaultMilliseconds = 3000
    /// The longest wait, jitter included: a `retry:` larger than this (`retry: 10^26` too) waits
    /// this long, so a client does not sleep for days on one field.
    public static let maximumMilliseconds = 60_000

    public private(set) var milliseconds = Self.defaultMilliseconds
    /// Connections in a row that ended on a patch that did not apply.
    public private(set) var lostBases = 0

    public init() {}

    /// A connection ended on a patch that did not apply (or was refused as too large): the next
    /// wait is at least 1 s, doubling with each such end in a row up to ``maximumMilliseconds``,
    /// whatever `retry:` says. A server whose patches never apply, and that sends `retry: 0`, would
    /// otherwise be asked again thousands of times a second.
    public mutating func lostBase() {
        lostBases += 1
    }

    /// A connection ended any other way: the floor goes.
    public mutating func keptBase() {
        lostBases = 0
    }

    /// A `retry:` field (already known to be digits alone).
    public mutating func take(retry milliseconds: Int) {
        self.milliseconds = min(max(0, milliseconds), Self.maximumMilliseconds)
    }

    /// The wait, with `jitter` (0 to 1) adding up to a tenth of the time, and never more than
    /// ``maximumMilliseconds`` in all.
    public func wait(jitter: Double) -> Duration {
        let floor = lostBases == 0 ? 0 : 1000 << min(lostBases - 1, 6)
        let base = max(milliseconds, floor)
        let added = Int(Double(base) * 0.1 * min(max(jitter, 0), 1))
        return .milliseconds(min(base + added, Self.maximumMilliseconds))
    }
}

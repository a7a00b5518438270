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

    public init() {}

    /// A `retry:` field (already known to be digits alone).
    public mutating func take(retry milliseconds: Int) {
        self.milliseconds = min(max(0, milliseconds), Self.maximumMilliseconds)
    }

    /// The wait, with `jitter` (0 to 1) adding up to a tenth of the time, and never more than
    /// ``maximumMilliseconds`` in all.
    public func wait(jitter: Double) -> Duration {
        let added = Int(Double(milliseconds) * 0.1 * min(max(jitter, 0), 1))
        return .milliseconds(min(milliseconds + added, Self.maximumMilliseconds))
    }
}

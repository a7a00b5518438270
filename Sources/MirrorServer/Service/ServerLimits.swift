public import NIOCore

/// The bounds every connection lives within.
public struct ServerLimits: Sendable {
    /// How long a connection may take to send its whole request head.
    public var requestTimeout: TimeAmount
    /// The most bytes one client may have queued when the next event comes; a client above it is
    /// closed instead (every buffer is bounded). It counts what is queued beyond the event being
    /// written, so one event larger than the bound still reaches a client whose queue was empty.
    public var maximumQueuedBytes: Int
    /// How long accepting pauses after `accept` failed (out of descriptors: EMFILE, ENFILE), so
    /// the server does not spin; short enough that a new client is served soon after others leave.
    public var acceptBackoff: TimeAmount
    /// How long a connection that got a plain answer is read and drained before it is closed, so
    /// a client still sending its request body gets the answer instead of a reset.
    public var lingerTimeout: TimeAmount

    public init(
        requestTimeout: TimeAmount = .seconds(10),
        maximumQueuedBytes: Int = 4 << 20,
        acceptBackoff: TimeAmount = .milliseconds(250),
        lingerTimeout: TimeAmount = .seconds(2)
    ) {
        self.requestTimeout = requestTimeout
        self.maximumQueuedBytes = maximumQueuedBytes
        self.acceptBackoff = acceptBackoff
        self.lingerTimeout = lingerTimeout
    }
}

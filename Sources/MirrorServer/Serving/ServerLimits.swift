public import MirrorCore
public import NIOCore

/// The bounds every connection lives within.
public struct ServerLimits: Sendable {
    /// How long a connection may take to send its whole request head, counted from the connection's
    /// start: bytes that trickle in do not extend it (a slowloris client gets no more time).
    public var requestTimeout: TimeAmount
    /// The most bytes one client may have queued when the next event comes; a client above it is
    /// closed instead (every buffer is bounded). It counts what is queued beyond the event being
    /// written, so one event larger than the bound still reaches a client whose queue was empty.
    public var maximumQueuedBytes: Int
    /// How long bytes may stay queued for a client while the kernel takes none of them before
    /// the client is closed; nil never (see ``WriteProgress``).
    public var writeTimeout: TimeAmount?
    /// The most event streams open at once over the whole server; nil is no bound.
    public var maximumClients: Int?
    /// TCP keepalive on accepted connections; nil leaves the kernel's defaults (off).
    public var keepalive: TCPKeepalive?
    /// The request line's bound: a longer one is answered 414 (RFC 9112 §3).
    public var maximumRequestLineBytes: Int
    /// The request head's bound, request line and header fields: a larger one is answered 431
    /// (RFC 6585 §5).
    public var maximumHeadBytes: Int
    /// How long accepting pauses after `accept` failed (out of descriptors: EMFILE, ENFILE), so
    /// the server does not spin; short enough that a new client is served soon after others leave.
    public var acceptBackoff: TimeAmount
    /// How long a connection that got a plain answer is read and drained before it is closed, so
    /// a client still sending its request body gets the answer instead of a reset.
    public var lingerTimeout: TimeAmount
    /// The range a refused client's reconnection delay is drawn from (see ``RetryBackoff``).
    public var overLimitRetry: ClosedRange<TimeAmount>

    public init(
        requestTimeout: TimeAmount = .seconds(10),
        maximumQueuedBytes: Int = ClientLimits.defaultClientBuffer,
        writeTimeout: TimeAmount? = .seconds(30),
        maximumClients: Int? = nil,
        keepalive: TCPKeepalive? = TCPKeepalive(),
        maximumRequestLineBytes: Int = 8 * 1024,
        maximumHeadBytes: Int = 32 * 1024,
        acceptBackoff: TimeAmount = .milliseconds(250),
        lingerTimeout: TimeAmount = .seconds(2),
        overLimitRetry: ClosedRange<TimeAmount> = .seconds(5)...(.seconds(30))
    ) {
        self.requestTimeout = requestTimeout
        self.maximumQueuedBytes = maximumQueuedBytes
        self.writeTimeout = writeTimeout
        self.maximumClients = maximumClients
        self.keepalive = keepalive
        self.maximumRequestLineBytes = maximumRequestLineBytes
        self.maximumHeadBytes = maximumHeadBytes
        self.acceptBackoff = acceptBackoff
        self.lingerTimeout = lingerTimeout
        self.overLimitRetry = overLimitRetry
    }

    /// The bounds `limits:` in mirror.yaml sets; the rest keep their defaults.
    public init(_ config: ClientLimits) {
        self.init(
            maximumQueuedBytes: config.clientBuffer,
            writeTimeout: config.writeTimeout.map(TimeAmount.init),
            maximumClients: config.maxClients,
            keepalive: config.keepalive
        )
    }
}

import NIOCore

/// A subscriber of a stream: in the server, one SSE connection.
///
/// Every call comes on the sink's own event loop, so a sink needs no locks.
public protocol EventSink: AnyObject {
    /// Writes a state event; the sink decides whether its connection takes `chunked` or `payload`.
    func receive(_ event: EncodedEvent)
    /// Writes a heartbeat comment, unless bytes are still queued: those already keep proxies
    /// awake, and a heartbeat must never be the reason a slow client is dropped.
    func receiveHeartbeat(_ comment: EncodedEvent)
    /// Ends the stream cleanly (the server is shutting down).
    func finish()
}

public import NIOCore

/// A subscriber of a stream: in the server, one SSE connection.
///
/// Every call comes on the sink's own event loop, so a sink needs no locks.
public protocol EventSink: AnyObject {
    /// Writes the event; the sink decides whether its connection takes `chunked` or `payload`.
    func receive(_ event: EncodedEvent)
}

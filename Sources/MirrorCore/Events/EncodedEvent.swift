public import NIOCore

/// An event turned into bytes once, shared by every subscriber of the stream.
///
/// `chunked` is the event already framed as one HTTP/1.1 chunk (RFC 9112 §7.1), so a connection
/// whose SSE headers are sent writes it as it is, below the HTTP encoder; `payload` is a slice of
/// the same storage without the chunk framing, for HTTP/1.0 clients whose body ends at close.
/// ByteBuffer is copy-on-write, so handing both to thousands of channels copies nothing.
public struct EncodedEvent: Sendable {
    /// The hub's publication order; lets a subscriber that joined from a snapshot skip what it already has.
    public var sequence: UInt64
    public var chunked: ByteBuffer
    public var payload: ByteBuffer

    public init(sequence: UInt64, chunked: ByteBuffer, payload: ByteBuffer) {
        self.sequence = sequence
        self.chunked = chunked
        self.payload = payload
    }
}

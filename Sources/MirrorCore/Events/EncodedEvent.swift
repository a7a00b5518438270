public import NIOCore

/// An event turned into bytes once, shared by every subscriber of the stream, with the fields it
/// was made from for those that need them (the history, the JSON GET, a publish sink).
///
/// `chunked` is the event already framed as one HTTP/1.1 chunk (RFC 9112 §7.1), so a connection
/// whose SSE headers are sent writes it as it is, below the HTTP encoder; `payload` is a slice of
/// the same storage without the chunk framing, for HTTP/1.0 clients whose body ends at close;
/// `data` is the event's data as one slice too when it is one line, which every JSON payload is.
/// ByteBuffer is copy-on-write, so handing them to thousands of channels copies nothing.
public struct EncodedEvent: Sendable {
    /// The hub's publication order; lets a subscriber that joined from a snapshot skip what it already has.
    public var sequence: UInt64
    public var name: String
    public var id: EventID?
    public var role: EventRole
    public var chunked: ByteBuffer
    public var payload: ByteBuffer
    public var data: ByteBuffer

    public init(sequence: UInt64, name: String, id: EventID?, role: EventRole, chunked: ByteBuffer, payload: ByteBuffer, data: ByteBuffer) {
        self.sequence = sequence
        self.name = name
        self.id = id
        self.role = role
        self.chunked = chunked
        self.payload = payload
        self.data = data
    }
}

extension EncodedEvent {
    /// The event's `data:` lines as they went out (each `data: …\n`), a slice of the same storage,
    /// without the `event:` and `id:` lines before them and the blank line after.
    ///
    /// A multiplexed connection (PROTOCOL.md "Multiplexing") writes these between an `event:` line
    /// and an `id:` line of its own, so the data, however large, is never encoded a second time:
    /// every subscriber of the stream, multiplexed or not, shares these bytes. Relies on the
    /// layout ``SSEEncoder`` writes (`event:`, then `id:` when there is one, then the data lines).
    public var dataFields: ByteBuffer {
        let eventLine = 7 + name.utf8.count + 1
        let idLine = id.map { 4 + $0.description.utf8.count + 1 } ?? 0
        let start = eventLine + idLine
        return payload.getSlice(at: payload.readerIndex + start, length: payload.readableBytes - start - 1)!
    }
}

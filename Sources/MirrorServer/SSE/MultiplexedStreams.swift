import MirrorCore
import NIOCore

/// What a multiplexed connection carries (`GET /events?stream=…`, PROTOCOL.md "Multiplexing"): its
/// streams in the order requested, the token each was let in with, and where the connection is
/// in each, from which it frames every event.
///
/// An event of stream `/a` goes out as `event: /a <name>`, the stream's own `data:` lines, and
/// `id: <composite id>` (``CompositeEventID``): EventSource dispatches by type (WHATWG HTML
/// §9.2.6), so a page listens for `"/a patch"` and gets exactly that stream's patches, with data
/// byte for byte what a single-stream client gets. Those data lines are a slice of the bytes the
/// hub encoded once for every subscriber (``EncodedEvent/dataFields``), so nothing is encoded again
/// per stream or per connection; what a connection adds is its own `event:` and `id:` lines, the
/// id being its own position in all its streams. Owned by one connection, used on its loop only.
struct MultiplexedStreams {
    let hubs: [StreamHub]
    /// The digest of the token each stream let the client in with (nil: that stream is open).
    let credentials: [[UInt8]?]
    private let paths: [String]
    private var position: CompositeEventID

    /// - Parameter lastEventID: what the client sent back; its parts resume the streams when it
    ///   names this same list of streams, else every stream starts from its current state.
    init(hubs: [StreamHub], credentials: [[UInt8]?], lastEventID: String?) {
        self.hubs = hubs
        self.credentials = credentials
        let paths = hubs.map(\.path)
        self.paths = paths
        self.position = lastEventID.flatMap { CompositeEventID(parsing: $0, paths: paths) } ?? CompositeEventID(paths: paths)
    }

    /// The `Last-Event-ID` to give the hub of stream `index`: the stream's own id from the composite.
    func resumeID(ofStream index: Int) -> String? {
        position.positions[index]?.description
    }

    /// The bytes of one event of stream `index` on this connection, in order: a head (the chunk
    /// size line when `chunked`, then the `event:` line), the shared data lines, and a tail (the
    /// `id:` line when the event has an id, the blank line that dispatches it, the chunk's end).
    mutating func frame(_ event: EncodedEvent, stream index: Int, chunked: Bool) -> (head: ByteBuffer, data: ByteBuffer, tail: ByteBuffer) {
        if let id = event.id { position.positions[index] = id }
        let data = event.dataFields
        let eventLine = "event: \(paths[index]) \(event.name)\n"
        let ending = event.id == nil ? "\n" : "id: \(position)\n\n"
        var head = ByteBuffer()
        if chunked {
            head.writeString(String(eventLine.utf8.count + data.readableBytes + ending.utf8.count, radix: 16))
            head.writeStaticString("\r\n")
        }
        head.writeString(eventLine)
        var tail = ByteBuffer(string: ending)
        if chunked { tail.writeStaticString("\r\n") }
        return (head, data, tail)
    }
}

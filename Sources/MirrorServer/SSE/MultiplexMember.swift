import MirrorCore
import NIOCore

/// One stream of a multiplexed connection, as its hub sees it: the hub's ``EventSink`` for that
/// stream, handing each event to the connection with the stream's place in the request.
///
/// A hub keeps its subscribers by identity, so each stream of a connection needs a sink of its
/// own; the connection keeps the slow-client bound, the write timeout and the client's place,
/// one for all its streams.
final class MultiplexMember: EventSink, TokenHolder {
    let stream: Int
    let credential: [UInt8]?
    /// Weak: the hub holds this member until the connection leaves, and the connection holds it.
    private weak var connection: SSEConnectionHandler?

    init(stream: Int, credential: [UInt8]?, connection: SSEConnectionHandler) {
        self.stream = stream
        self.credential = credential
        self.connection = connection
    }

    func receive(_ event: EncodedEvent) {
        connection?.receive(event, fromStream: stream)
    }

    /// Every hub's heartbeat reaches every member; the first stream's alone is written, so a
    /// connection gets one comment per tick however many streams it carries.
    func receiveHeartbeat(_ comment: EncodedEvent) {
        if stream == 0 { connection?.receiveHeartbeat(comment) }
    }

    /// One stream ending (a reload retired it, or revoked the token it was let in with) ends the
    /// connection: its EventSource reconnects and asks again for every stream.
    func finish() {
        connection?.finish()
    }
}

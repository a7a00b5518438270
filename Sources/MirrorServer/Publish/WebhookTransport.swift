import MirrorCore
import MirrorDocument
import NIOCore

/// How a state reaches a plain webhook (`publish: {webhook: URL}`): one POST over the target's
/// keep-alive ``PublishConnection`` whose body is the event as one JSON object,
/// `{"stream": "/a", "event": "changed", "id": "…", "data": <the document>}`, so that a receiver
/// needs no SSE framing and no header to know what it got. `{stream}` in the URL is optional.
struct WebhookTransport: PublishTransport {
    let connection: PublishConnection

    func send(_ state: EncodedEvent, for path: String) -> EventLoopFuture<PublishOutcome> {
        connection.post(Self.body(state, stream: path), forStream: path)
    }

    func close() {
        connection.close()
    }

    /// The event's fields, then its data as it is (already JSON, shared with the subscribers'
    /// bytes) as the last member.
    static func body(_ state: EncodedEvent, stream path: String) -> ByteBuffer {
        let id: JSONValue = state.id.map { .string($0.description) } ?? .null
        let fields: JSONValue = ["stream": .string(path), "event": .string(state.name), "id": id]
        var bytes = JSONSerializer.serialize(fields)
        bytes.removeLast()  // the object's closing brace
        var body = ByteBuffer(bytes: bytes)
        body.writeStaticString(#","data":"#)
        body.writeImmutableBuffer(state.data)
        body.writeStaticString("}")
        return body
    }
}

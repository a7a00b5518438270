import MirrorCore
import NIOCore

/// How a state reaches nchan (`publish: {nchan: URL}`): one POST to the stream's publisher
/// location over the target's keep-alive ``PublishConnection``. The event's data is the body and
/// its name goes in `X-EventSource-Event`, which nchan writes as the subscribers' `event:` line.
struct NchanTransport: PublishTransport {
    let connection: PublishConnection

    func send(_ state: EncodedEvent, for path: String) -> EventLoopFuture<PublishOutcome> {
        connection.post(state.data, forStream: path, fields: [("X-EventSource-Event", state.name)])
    }

    func close() {
        connection.close()
    }
}

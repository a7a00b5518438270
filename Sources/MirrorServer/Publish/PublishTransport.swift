import MirrorCore
import NIOCore

/// One way of delivering a stream's whole state to a publish target: how one state becomes one
/// request, and how its answer is judged (``NchanTransport``: an HTTP POST to nchan's publisher
/// location). A ``PublishPump`` drives it and keeps everything else: the queue, the backoff, the
/// outage logs and the re-publish after an outage. Another kind of target (Redis PUBLISH, a plain
/// webhook) is another transport and its config key; nothing else changes.
protocol PublishTransport: Sendable {
    /// Sends `state`, the whole state of the stream at `path`. Called on the pump's event loop,
    /// never while an earlier send is outstanding. A failed future counts as ``PublishOutcome/failed(_:)``.
    func send(_ state: EncodedEvent, for path: String) -> EventLoopFuture<PublishOutcome>

    /// Drops any connection; nothing is sent after it. Called on the pump's event loop.
    func close()
}

import MirrorCore
import NIOCore

/// The answer to an EventSource that comes while its stream or the server has no room left: a
/// `200` event stream that only sets `retry:` and ends. It takes the place of the HTTP handlers
/// in the pipeline, as ``SSEConnectionHandler`` does for an admitted client.
///
/// An EventSource that gets any status but 200, or another content type, fails for good and never
/// reconnects (WHATWG HTML §9.2.3: "fail the connection"), so a 503 would lose the client forever.
/// A 200 stream that ends is a dropped connection instead: the EventSource waits the reconnection
/// time it was given and comes back (§9.2.3, "reestablish the connection"), by when a place may be
/// free. Its `retry:` is drawn from a range (``RetryBackoff``) so refused clients spread out; once
/// admitted, a stream's own `retry:` sets the usual reconnection time again.
///
/// The end is a lingering close, as for plain answers (RFC 9112 §9.6): output shut, input read and
/// dropped until the client closes or `linger` ends.
final class OverLimitStream: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The last chunk of a chunked body (RFC 9112 §7.1).
    private static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    private let head: ByteBuffer
    private let chunked: Bool
    private let retry: TimeAmount
    private let linger: TimeAmount

    /// - Parameter head: the stream's response head, raw bytes (the HTTP encoder is out of the pipeline).
    init(head: ByteBuffer, chunked: Bool, retry: TimeAmount, linger: TimeAmount) {
        self.head = head
        self.chunked = chunked
        self.retry = retry
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let event = SSEEncoder().encodeRetry(milliseconds: Int(retry.nanoseconds / 1_000_000))
        context.write(wrapOutboundOut(head), promise: nil)
        context.write(wrapOutboundOut(chunked ? event.chunked : event.payload), promise: nil)
        if chunked { context.write(wrapOutboundOut(Self.lastChunk), promise: nil) }
        context.lingeringClose(after: linger)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.closeAtEndOfInput(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

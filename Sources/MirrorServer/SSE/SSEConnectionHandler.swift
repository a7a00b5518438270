import Logging
import MirrorCore
import NIOCore

/// A connection that has become an event stream: the last handler of its pipeline, with the HTTP
/// handlers gone, writing each event's shared bytes straight to the socket.
///
/// It is the hub's ``EventSink``: the hub calls it on this channel's loop, once per event.
/// A client that does not keep up (the channel's outbound buffer above its high-water mark when
/// the next event comes) is closed rather than buffered without end; it reconnects, and its
/// EventSource picks up the current state.
final class SSEConnectionHandler: ChannelInboundHandler, EventSink {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let hub: StreamHub
    private let chunked: Bool
    private let logger: Logger
    private var context: ChannelHandlerContext?

    init(hub: StreamHub, chunked: Bool, logger: Logger) {
        self.hub = hub
        self.chunked = chunked
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            hub.subscribe(self, on: context.eventLoop)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leave(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        leave(context)
        context.fireChannelInactive()
    }

    /// Whatever the client sends now is not HTTP we answer; it is read and dropped so it cannot pile up.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("closing event stream after an error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func receive(_ event: EncodedEvent) {
        guard let context else { return }
        guard context.channel.isWritable else {
            logger.info("closing a client that does not keep up with its stream")
            leave(context)
            context.close(promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(chunked ? event.chunked : event.payload), promise: nil)
    }

    private func leave(_ context: ChannelHandlerContext) {
        guard self.context != nil else { return }
        self.context = nil
        hub.unsubscribe(self, on: context.eventLoop)
    }
}

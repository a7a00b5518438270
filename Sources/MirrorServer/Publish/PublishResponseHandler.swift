import NIOCore
import NIOHTTP1

/// One POST to the target, as a ``PublishConnection`` hands it to its channel: the head, the body, and the
/// promise the answer's status completes.
struct PublishRequest {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var status: EventLoopPromise<HTTPResponseStatus>
}

/// Why a post did not get an answer.
struct PublishError: Error, Equatable, CustomStringConvertible {
    var description: String

    static let closed = PublishError(description: "the hub closed the connection before answering")
    static let timedOut = PublishError(description: "the hub did not answer in time")
}

/// The HTTP/1.1 client end of a ``PublishConnection``, one request at a time: writes a
/// ``PublishRequest`` below NIO's client codec and completes its promise with the status once
/// the whole answer is read (its body, nchan's channel summary, is dropped). A connection that
/// closes or fails with a request outstanding fails it.
final class PublishResponseHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PublishRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var outstanding: EventLoopPromise<HTTPResponseStatus>?
    private var status: HTTPResponseStatus?
    private var keepAlive = true

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        outstanding = request.status
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            let promise = outstanding
            outstanding = nil
            if let status { promise?.succeed(status) } else { promise?.fail(PublishError.closed) }
            status = nil
            if !keepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(PublishError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let promise = outstanding
        outstanding = nil
        promise?.fail(error)
    }
}

import Logging
import MirrorCore
import NIOCore
import NIOHTTP1

/// The HTTP phase of a connection: reads one request, answers it, and for a stream hands the
/// connection over to an ``SSEConnectionHandler``.
///
/// Plain responses (404, 405, health) close the connection after they are sent: they are rare,
/// and one request per connection keeps this handler free of pipelining state. An event stream
/// takes the HTTP encoder and decoder out of the pipeline once its head is written, so each event
/// afterwards is one write of bytes shared by every subscriber, not three writes per client.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    struct Shared: Sendable {
        let router: Router
        let head: SSEResponseHead
        let retry: EncodedEvent
        let limits: ServerLimits
        let logger: Logger
    }

    private let shared: Shared
    private let encoder: HTTPResponseEncoder
    private let decoder: ByteToMessageHandler<HTTPRequestDecoder>
    private var request: HTTPRequestHead?
    /// One request per connection: anything sent after it is ignored while the answer goes out.
    private var answered = false
    /// Closes a connection that has not sent a whole request in time, so it cannot hold a descriptor forever.
    private var requestTimeout: Scheduled<Void>?

    init(shared: Shared, encoder: HTTPResponseEncoder, decoder: ByteToMessageHandler<HTTPRequestDecoder>) {
        self.shared = shared
        self.encoder = encoder
        self.decoder = decoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        requestTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: shared.limits.requestTimeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        requestTimeout?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            // A GET has no meaningful body; dropping it keeps nothing buffered.
            break
        case .end:
            guard let head = request, !answered else { return }
            request = nil
            answered = true
            requestTimeout?.cancel()
            respond(to: head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError && !answered {
            answered = true
            shared.logger.debug("malformed request", metadata: ["error": "\(error)"])
            sendPlain(.badRequest, body: "Bad Request\n", version: .http1_1, context: context)
        } else {
            context.close(promise: nil)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch shared.router.route(method: head.method, uri: head.uri) {
        case .stream(let hub, let headOnly):
            startStream(hub: hub, version: head.version, headOnly: headOnly, context: context)
        case .health(let headOnly):
            sendPlain(.ok, body: "ok\n", version: head.version, headOnly: headOnly, context: context)
        case .notFound:
            sendPlain(.notFound, body: "Not Found\n", version: head.version, context: context)
        case .methodNotAllowed(let allow):
            sendPlain(.methodNotAllowed, body: "Method Not Allowed\n", version: head.version, extra: [("Allow", allow)], context: context)
        }
    }

    private func startStream(hub: StreamHub, version: HTTPVersion, headOnly: Bool, context: ChannelHandlerContext) {
        let chunked = version.major == 1 && version.minor >= 1
        let pipeline = context.pipeline.syncOperations
        pipeline.removeHandler(encoder, promise: nil)
        pipeline.removeHandler(decoder, promise: nil)
        let head = !chunked ? shared.head.http10 : headOnly ? shared.head.http11Head : shared.head.http11
        if headOnly {
            context.writeAndFlush(NIOAny(head)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.write(NIOAny(head), promise: nil)
        context.write(NIOAny(chunked ? shared.retry.chunked : shared.retry.payload), promise: nil)
        context.flush()
        do {
            try pipeline.addHandler(SSEConnectionHandler(hub: hub, chunked: chunked, logger: shared.logger))
            pipeline.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    private func sendPlain(
        _ status: HTTPResponseStatus,
        body: String,
        version: HTTPVersion,
        headOnly: Bool = false,
        extra: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders([
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", String(body.utf8.count)),
            ("Connection", "close"),
        ])
        headers.add(contentsOf: extra)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if !headOnly {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

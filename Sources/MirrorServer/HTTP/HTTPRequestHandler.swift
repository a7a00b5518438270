import Logging
import MirrorCore
import NIOCore
import NIOHTTP1

/// The HTTP phase of a connection: reads one request head, asks ``RequestDecision`` what it gets,
/// and performs that ``Answer``: writes it, parks a JSON GET until its document is settled, or
/// hands the connection over to an ``SSEConnectionHandler``.
///
/// The answer is decided on the head alone: none of our routes takes a body, so a `POST` with
/// `Expect: 100-continue` gets its 405 at once instead of waiting for a body it was never asked
/// for. Plain responses (400, 403, 404, 405, health) close the connection after they are sent:
/// they are rare, and one request per connection keeps this handler free of pipelining state.
/// Before closing, the connection lingers (RFC 9112 §9.6): the output is shut, and what the
/// client still sends is read and dropped for a moment, so a request body in flight does not turn
/// the close into a reset that destroys the answer. An event stream takes the HTTP encoder and
/// decoder out of the pipeline before its head, which goes out as raw bytes (``SSEResponseHead``),
/// so each event afterwards is one write of bytes shared by every subscriber.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    struct Shared: Sendable {
        /// Read once per request: the routes and policies of the configuration in force.
        let current: CurrentServingState
        let head: SSEResponseHead
        let retry: EncodedEvent
        let limits: ServerLimits
        let admission: ClientAdmission
        let metrics: MirrorMetrics
        let logger: Logger
    }

    private enum Phase {
        /// No request head yet: the request timeout runs.
        case awaitingHead
        /// A JSON GET waits for the document of the newest version, published as a patch first
        /// (see ``sendDocument(of:head:headOnly:cors:context:)``); the settle timeout runs.
        case awaitingSettle(StreamHub, SettleWait)
        /// A plain answer went out; input is drained until the client closes or the linger time ends.
        case lingering
    }

    /// How long a JSON GET waits for the document of a version published as a patch. It comes
    /// right after the patch, from the worker that published it; only a stream whose whole state
    /// is not settled for this long (a log read behind its subscribers) answers 503 instead.
    static let settleTimeout = TimeAmount.seconds(10)

    private let shared: Shared
    private let encoder: HTTPResponseEncoder
    private let decoder: ByteToMessageHandler<HTTPRequestDecoder>
    private var phase = Phase.awaitingHead
    /// Closes a connection that has not sent a whole request head in time, or lingers too long.
    private var timer: Scheduled<Void>?

    init(shared: Shared, encoder: HTTPResponseEncoder, decoder: ByteToMessageHandler<HTTPRequestDecoder>) {
        self.shared = shared
        self.encoder = encoder
        self.decoder = decoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: shared.limits.requestTimeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        if case .awaitingSettle(let hub, let wait) = phase {
            hub.cancel(wait)
            // A wake already on its way to this loop then finds nothing to answer.
            phase = .lingering
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Bodies, and anything sent after the one request, are read and dropped.
        guard case .head(let head) = unwrapInboundIn(data), case .awaitingHead = phase else { return }
        timer?.cancel()
        let decision = RequestDecision(
            serving: shared.current.now, admission: shared.admission, limits: shared.limits, metrics: shared.metrics,
            localAddress: context.channel.localAddress
        )
        perform(decision.answer(to: head), head: head, context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            // A client that half-closes after its request still wants the answer (RFC 9112 §9.6).
            if case .awaitingSettle = phase { return }
            // Before a request, the client gave up; while lingering, it has read its answer.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .awaitingHead = phase else { return }
        if error is HTTPParserError {
            shared.logger.debug("malformed request", metadata: ["error": "\(error)"])
            send(RequestDecision.malformed, version: .http1_1, context: context)
        } else {
            context.close(promise: nil)
        }
    }

    private func perform(_ answer: Answer, head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch answer {
        case .response(let response):
            send(response, version: head.version, context: context)
        case .refusedHost(let response, let host):
            shared.logger.info("refused a request for an unknown host", metadata: ["http.host": "\(host)"])
            send(response, version: head.version, context: context)
        case .document(let hub, let headOnly, let cors):
            sendDocument(of: hub, head: head, headOnly: headOnly, cors: cors, context: context)
        case .stream(let streams, let headOnly, let cors):
            startStream(streams, version: head.version, headOnly: headOnly, cors: cors, context: context)
        }
    }

    /// The current document as one JSON answer (``RequestDecision/document(_:ifNoneMatch:headOnly:cors:)``).
    ///
    /// Never older than a version some client already has: on a patch stream the patch goes out
    /// before the whole document is encoded, so a GET that comes in between is parked (no thread
    /// waits) and answered on this loop when the hub settles that document.
    private func sendDocument(of hub: StreamHub, head: HTTPRequestHead, headOnly: Bool, cors: [(String, String)], context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let answer = { @Sendable (state: EncodedEvent?) in
            RequestDecision.document(state, ifNoneMatch: head.headers["If-None-Match"], headOnly: headOnly, cors: cors)
        }
        let parked = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let current = hub.currentForAnswer {
            loop.execute {
                let (handler, context) = parked.value
                guard case .awaitingSettle = handler.phase else { return }
                handler.send(answer(hub.current().state), version: head.version, context: context)
            }
        }
        switch current {
        case .ready(let state, _):
            send(answer(state), version: head.version, context: context)
        case .waiting(let wait):
            phase = .awaitingSettle(hub, wait)
            timer = loop.assumeIsolated().scheduleTask(in: Self.settleTimeout) {
                hub.cancel(wait)
                self.send(RequestDecision.stillEncoding(cors: cors), version: head.version, context: context)
            }
        }
    }

    private func startStream(
        _ streams: SSEConnectionHandler.Streams, version: HTTPVersion, headOnly: Bool, cors: [(String, String)], context: ChannelHandlerContext
    ) {
        let chunked = version.major == 1 && version.minor >= 1
        let pipeline = context.pipeline.syncOperations
        pipeline.removeHandler(encoder, promise: nil)
        pipeline.removeHandler(decoder, promise: nil)
        let heads = cors.isEmpty ? shared.head : SSEResponseHead(extra: cors)
        let head = !chunked ? heads.http10 : headOnly ? heads.http11Head : heads.http11
        if headOnly {
            context.writeAndFlush(NIOAny(head)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        let handler: any ChannelHandler
        if let slot = shared.admission.admit(to: streams.hubs) {
            context.write(NIOAny(head), promise: nil)
            context.write(NIOAny(chunked ? shared.retry.chunked : shared.retry.payload), promise: nil)
            context.flush()
            handler = SSEConnectionHandler(streams: streams, chunked: chunked, slot: slot, limits: shared.limits, logger: shared.logger)
        } else {
            shared.logger.debug("refused a client: no room on the stream or the server", metadata: ["stream.path": "\(streams.paths)"])
            let retry = RetryBackoff(range: shared.limits.overLimitRetry).next()
            handler = OverLimitStream(head: head, chunked: chunked, retry: retry, linger: shared.limits.lingerTimeout)
        }
        do {
            try pipeline.addHandler(handler)
            pipeline.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    /// A whole answer, then a lingering close.
    private func send(_ response: PlainResponse, version: HTTPVersion, context: ChannelHandlerContext) {
        phase = .lingering
        let head = HTTPResponseHead(version: version, status: response.status, headers: response.headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = response.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: shared.limits.lingerTimeout) {
            context.close(promise: nil)
        }
    }
}

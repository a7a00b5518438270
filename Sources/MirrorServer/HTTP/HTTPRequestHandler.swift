import Logging
import MirrorCore
import NIOCore
import NIOHTTP1

/// The HTTP phase of a connection: reads one request head, answers it, and for a stream hands the
/// connection over to an ``SSEConnectionHandler``.
///
/// The answer is decided on the head alone: none of our routes takes a body, so a `POST` with
/// `Expect: 100-continue` gets its 405 at once instead of waiting for a body it was never asked
/// for. Plain responses (400, 403, 404, 405, health) close the connection after they are sent:
/// they are rare, and one request per connection keeps this handler free of pipelining state.
/// Before closing, the connection lingers (RFC 9112 §9.6): the output is shut, and what the
/// client still sends is read and dropped for a moment, so a request body in flight does not turn
/// the close into a reset that destroys the answer. An event stream takes the HTTP encoder and
/// decoder out of the pipeline once its head is written, so each event afterwards is one write of
/// bytes shared by every subscriber.
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
        /// (see ``sendDocument(of:head:headOnly:context:)``); the settle timeout runs.
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
    /// Fields every answer to this request carries (CORS), decided with the request.
    private var responseFields: [(String, String)] = []
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
        respond(to: head, context: context)
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
            sendPlain(.badRequest, body: "Bad Request\n", version: .http1_1, context: context)
        } else {
            context.close(promise: nil)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch RequestFraming(headers: head.headers, version: head.version) {
        case .acceptable:
            break
        case .badRequest(let reason):
            return sendPlain(.badRequest, body: "Bad Request: \(reason)\n", version: head.version, context: context)
        case .notImplemented(let reason):
            return sendPlain(.notImplemented, body: "Not Implemented: \(reason)\n", version: head.version, context: context)
        }
        guard let target = RequestTarget(parsing: head.uri) else {
            return sendPlain(.badRequest, body: "Bad Request: the request target is not a path or an http URL\n", version: head.version, context: context)
        }
        let http11 = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
        let serving = shared.current.now
        switch serving.hosts.decide(hostFields: head.headers["Host"], target: target, http11: http11, localAddress: context.channel.localAddress) {
        case .allowed:
            break
        case .badRequest(let reason):
            return sendPlain(.badRequest, body: "Bad Request: \(reason)\n", version: head.version, context: context)
        case .forbidden(let host):
            shared.logger.info("refused a request for an unknown host", metadata: ["http.host": "\(host)"])
            let body = "Forbidden: this server does not answer to the host '\(host)'. "
                + "If it is a name this server is really reached by (a proxy's public name), add it to 'hosts:' in mirror.yaml.\n"
            return sendPlain(.forbidden, body: body, version: head.version, context: context)
        }
        let origin = head.headers.first(name: "Origin")
        responseFields = serving.cors.fields(origin: origin)
        let route = serving.router.route(method: head.method, path: target.path)
        let access = serving.config.access
        switch route {
        case .stream(let hub, let headOnly):
            let decision = BearerCredential.decide(tokens: access.tokens(forStream: hub.path), headers: head.headers, target: target)
            guard let credential = credential(decision, head: head, context: context) else { return }
            if MediaPreference(headers: head.headers) == .json, shared.admission.isFull(hub) {
                let seconds = RetryBackoff(range: shared.limits.overLimitRetry).next().wholeSecondsRoundedUp
                sendPlain(
                    .serviceUnavailable, body: "Service Unavailable: too many clients; try again later\n", version: head.version,
                    extra: [("Retry-After", String(seconds))], context: context
                )
            } else if MediaPreference(headers: head.headers) == .json {
                sendDocument(of: hub, head: head, headOnly: headOnly, context: context)
            } else {
                let streams = SSEConnectionHandler.Streams.one(hub, lastEventID: Self.lastEventID(head, target), credential: credential)
                startStream(streams, version: head.version, headOnly: headOnly, context: context)
            }
        case .multiplex(let headOnly):
            let hubs: [StreamHub]
            switch MultiplexRequest.decide(target: target, router: serving.router) {
            case .streams(let found): hubs = found
            case .badRequest(let reason): return sendPlain(.badRequest, body: "Bad Request: \(reason)\n", version: head.version, context: context)
            case .notFound(let reason): return sendPlain(.notFound, body: "Not Found: \(reason)\n", version: head.version, context: context)
            }
            // Every stream decides on the token for itself: one that refuses it refuses the request.
            var credentials: [[UInt8]?] = []
            for hub in hubs {
                let decision = BearerCredential.decide(tokens: access.tokens(forStream: hub.path), headers: head.headers, target: target)
                guard let credential = credential(decision, head: head, context: context) else { return }
                credentials.append(credential)
            }
            let streams = MultiplexedStreams(hubs: hubs, credentials: credentials, lastEventID: Self.lastEventID(head, target))
            startStream(.multiplexed(streams), version: head.version, headOnly: headOnly, context: context)
        case .health(let headOnly):
            let decision = BearerCredential.decide(tokens: access.opsTokens, headers: head.headers, target: target)
            guard credential(decision, head: head, context: context) != nil else { return }
            let body = HealthReport(serving).body()
            send(.ok, body: body, contentType: "application/json", version: head.version, headOnly: headOnly, extra: [("Cache-Control", "no-cache")], context: context)
        case .metrics(let headOnly):
            let decision = BearerCredential.decide(tokens: access.opsTokens, headers: head.headers, target: target)
            guard credential(decision, head: head, context: context) != nil else { return }
            let body = shared.metrics.exposition(of: serving.router.hubs)
            send(.ok, body: body, contentType: MirrorMetrics.contentType, version: head.version, headOnly: headOnly, extra: [("Cache-Control", "no-cache")], context: context)
        case .dashboard(let headOnly):
            // No token: the page and its module hold no secret (PROTOCOL.md, "The dashboard and client.js").
            sendAsset(DashboardPage.asset, head: head, headOnly: headOnly, context: context)
        case .clientScript(let headOnly):
            sendAsset(ClientScript.asset, head: head, headOnly: headOnly, context: context)
        case .options(let allow):
            // A preflight carries no credentials (WHATWG Fetch §4.8), so it is answered before any token is asked for.
            let preflight = head.headers.contains(name: "Access-Control-Request-Method")
            responseFields = preflight ? serving.cors.preflightFields(origin: origin) : responseFields
            send(.noContent, body: nil, contentType: nil, version: head.version, extra: [("Allow", allow)], context: context)
        case .notFound:
            sendPlain(.notFound, body: "Not Found\n", version: head.version, context: context)
        case .methodNotAllowed(let allow):
            sendPlain(.methodNotAllowed, body: "Method Not Allowed\n", version: head.version, extra: [("Allow", allow)], context: context)
        }
    }

    /// A reconnecting EventSource sends the header (WHATWG HTML §9.2.4); clients that cannot set
    /// headers may put the id in the query instead.
    private static func lastEventID(_ head: HTTPRequestHead, _ target: RequestTarget) -> String? {
        head.headers.first(name: "Last-Event-ID") ?? target.queryValue("lastEventId")
    }

    /// What the request's token makes of it: `.some(digest or nil)` when it may go on, nil when a
    /// 401 went out (RFC 6750 §3; RFC 9110 §15.5.2 requires the challenge).
    private func credential(_ decision: BearerCredential.Decision, head: HTTPRequestHead, context: ChannelHandlerContext) -> [UInt8]?? {
        switch decision {
        case .open: return .some(nil)
        case .allowed(let digest): return .some(digest)
        case .missing, .invalid:
            let body = decision == .missing ? "Unauthorized: this stream needs a token\n" : "Unauthorized: the token is not valid\n"
            sendPlain(.unauthorized, body: body, version: head.version, extra: [("WWW-Authenticate", BearerCredential.challenge(for: decision))], context: context)
            return nil
        }
    }

    /// The current document as one JSON answer, with its id as the entity tag (RFC 9110 §8.8.3), so
    /// a script can poll with `If-None-Match` and get 304 until the next version; 404 with a JSON
    /// body while the file is absent.
    ///
    /// Never older than a version some client already has: on a patch stream the patch goes out
    /// before the whole document is encoded, so a GET that comes in between is parked (no thread
    /// waits) and answered on this loop when the hub settles that document.
    private func sendDocument(of hub: StreamHub, head: HTTPRequestHead, headOnly: Bool, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let parked = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let answer = hub.currentForAnswer {
            loop.execute {
                let (handler, context) = parked.value
                guard case .awaitingSettle = handler.phase else { return }
                handler.answerDocument(hub.current().state, head: head, headOnly: headOnly, context: context)
            }
        }
        switch answer {
        case .ready(let state, _):
            answerDocument(state, head: head, headOnly: headOnly, context: context)
        case .waiting(let wait):
            phase = .awaitingSettle(hub, wait)
            timer = loop.assumeIsolated().scheduleTask(in: Self.settleTimeout) {
                hub.cancel(wait)
                self.sendPlain(
                    .serviceUnavailable, body: "Service Unavailable: the newest version is still being encoded; try again\n",
                    version: head.version, extra: [("Retry-After", "1")], context: context
                )
            }
        }
    }

    private func answerDocument(_ state: EncodedEvent?, head: HTTPRequestHead, headOnly: Bool, context: ChannelHandlerContext) {
        guard let state, state.name == "changed", let id = state.id else {
            var body = ByteBuffer(string: #"{"error":"the watched file is absent","removed":"#)
            if var removed = state?.data { body.writeBuffer(&removed) } else { body.writeString("null") }
            body.writeString("}\n")
            return send(.notFound, body: body, contentType: "application/json", version: head.version, headOnly: headOnly, context: context)
        }
        let tag = "\"\(id)\""
        let headers: [(String, String)] = [("ETag", tag), ("Cache-Control", "no-cache")]
        if EntityTags(head.headers["If-None-Match"]).matches(tag) {
            return send(.notModified, body: nil, contentType: nil, version: head.version, extra: headers, context: context)
        }
        send(.ok, body: state.data, contentType: "application/json", version: head.version, headOnly: headOnly, extra: headers, context: context)
    }

    /// A page or script from memory; `304` when the request's `If-None-Match` names its tag (RFC 9110 §13.1.2).
    private func sendAsset(_ asset: StaticAsset, head: HTTPRequestHead, headOnly: Bool, context: ChannelHandlerContext) {
        if EntityTags(head.headers["If-None-Match"]).matches(asset.etag) {
            let fields = asset.fields.filter { $0.0 == "ETag" || $0.0 == "Cache-Control" }
            return send(.notModified, body: nil, contentType: nil, version: head.version, extra: fields, context: context)
        }
        send(.ok, body: asset.body, contentType: nil, version: head.version, headOnly: headOnly, extra: asset.fields, context: context)
    }

    private func startStream(_ streams: SSEConnectionHandler.Streams, version: HTTPVersion, headOnly: Bool, context: ChannelHandlerContext) {
        let chunked = version.major == 1 && version.minor >= 1
        let pipeline = context.pipeline.syncOperations
        pipeline.removeHandler(encoder, promise: nil)
        pipeline.removeHandler(decoder, promise: nil)
        let heads = responseFields.isEmpty ? shared.head : SSEResponseHead(extra: responseFields)
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

    private func sendPlain(
        _ status: HTTPResponseStatus,
        body: String,
        version: HTTPVersion,
        headOnly: Bool = false,
        extra: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        send(status, body: ByteBuffer(string: body), contentType: "text/plain; charset=utf-8", version: version, headOnly: headOnly, extra: extra, context: context)
    }

    /// A whole answer, then a lingering close. `body` nil: a 304, which has no content (RFC 9110 §15.4.5).
    private func send(
        _ status: HTTPResponseStatus,
        body: ByteBuffer?,
        contentType: String?,
        version: HTTPVersion,
        headOnly: Bool = false,
        extra: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        phase = .lingering
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        if let body { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        headers.add(name: "Connection", value: "close")
        headers.add(contentsOf: extra)
        headers.add(contentsOf: responseFields)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if let body, !headOnly {
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

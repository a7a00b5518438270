import MirrorCore
import NIOCore
import NIOHTTP1

/// What a request gets, decided on its head alone against the configuration in force: a plain
/// value that reads its inputs and writes nothing, so that every route and every refusal is
/// tested without a channel. ``HTTPRequestHandler`` performs the ``Answer``.
///
/// The checks run in the order a refusal must win in: the body's framing first (a request we
/// cannot delimit is refused whatever it asks for, ``RequestFraming``), then the form of the target
/// (``RequestTarget``), the host (``HostPolicy``: before anything about the streams shows), the
/// route (``Router``), the token (``BearerCredential``) and, for a stream, the media type
/// (``MediaPreference``).
struct RequestDecision {
    /// The configuration in force, read once for this request.
    let serving: ServingState
    /// Whether a stream has room: a JSON GET of a full stream is refused with a 503.
    let admission: ClientAdmission
    let limits: ServerLimits
    let metrics: MirrorMetrics
    /// The address the connection arrived at, a host the host check accepts.
    let localAddress: SocketAddress?

    /// The answer to a request whose head NIO could not parse (RFC 9110 §15.5.1).
    static let malformed = PlainResponse.text(.badRequest, "Bad Request\n")

    func answer(to head: HTTPRequestHead) -> Answer {
        switch RequestFraming(headers: head.headers, version: head.version) {
        case .acceptable: break
        case .badRequest(let reason): return .response(.text(.badRequest, "Bad Request: \(reason)\n"))
        case .notImplemented(let reason): return .response(.text(.notImplemented, "Not Implemented: \(reason)\n"))
        }
        guard let target = RequestTarget(parsing: head.uri) else {
            return .response(.text(.badRequest, "Bad Request: the request target is not a path or an http URL\n"))
        }
        let http11 = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
        switch serving.hosts.decide(hostFields: head.headers["Host"], target: target, http11: http11, localAddress: localAddress) {
        case .allowed:
            break
        case .badRequest(let reason):
            return .response(.text(.badRequest, "Bad Request: \(reason)\n"))
        case .forbidden(let host):
            let text = "Forbidden: this server does not answer to the host '\(host)'. "
                + "If it is a name this server is really reached by (a proxy's public name), add it to 'hosts:' in mirror.yaml.\n"
            return .refusedHost(.text(.forbidden, text), host: host)
        }
        return route(head, target: target, cors: serving.cors.fields(origin: head.headers.first(name: "Origin")))
    }

    /// - Parameter cors: the fields every answer to this request carries, refusals too, so that
    ///   a page may read why it was refused (WHATWG Fetch §3.2).
    private func route(_ head: HTTPRequestHead, target: RequestTarget, cors: [(String, String)]) -> Answer {
        let access = serving.config.access
        let token = { (tokens: AccessTokens?) in BearerCredential.decide(tokens: tokens, headers: head.headers, target: target) }
        switch serving.router.route(method: head.method, path: target.path) {
        case .stream(let hub, let headOnly):
            let credential = token(access.tokens(forStream: hub.path))
            if let refusal = Self.unauthorized(credential, cors: cors) { return .response(refusal) }
            guard MediaPreference(headers: head.headers) == .json else {
                let streams = SSEConnectionHandler.Streams.one(hub, lastEventID: Self.lastEventID(head, target), credential: credential.digest)
                return .stream(streams, headOnly: headOnly, cors: cors)
            }
            guard !admission.isFull(hub) else { return .response(tooManyClients(cors: cors)) }
            return .document(hub, headOnly: headOnly, cors: cors)
        case .multiplex(let headOnly):
            return multiplex(head, target: target, headOnly: headOnly, cors: cors)
        case .health(let headOnly):
            if let refusal = Self.unauthorized(token(access.opsTokens), cors: cors) { return .response(refusal) }
            let body = HealthReport(serving).body()
            return .response(PlainResponse(.ok, body: body, contentType: "application/json", headOnly: headOnly, fields: Self.noCache, cors: cors))
        case .metrics(let headOnly):
            if let refusal = Self.unauthorized(token(access.opsTokens), cors: cors) { return .response(refusal) }
            let body = metrics.exposition(of: serving.router.hubs)
            return .response(PlainResponse(.ok, body: body, contentType: MirrorMetrics.contentType, headOnly: headOnly, fields: Self.noCache, cors: cors))
        case .dashboard(let headOnly):
            // No token: the page and its module hold no secret (PROTOCOL.md, "The dashboard and client.js").
            return .response(Self.asset(DashboardPage.asset, ifNoneMatch: head.headers["If-None-Match"], headOnly: headOnly, cors: cors))
        case .clientScript(let headOnly):
            return .response(Self.asset(ClientScript.asset, ifNoneMatch: head.headers["If-None-Match"], headOnly: headOnly, cors: cors))
        case .options(let allow):
            // A preflight carries no credentials (WHATWG Fetch §4.8), so it is answered before any token is asked for.
            let preflight = head.headers.contains(name: "Access-Control-Request-Method")
            let fields = preflight ? serving.cors.preflightFields(origin: head.headers.first(name: "Origin")) : cors
            return .response(PlainResponse(.noContent, body: nil, contentType: nil, fields: [("Allow", allow)], cors: fields))
        case .notFound:
            return .response(.text(.notFound, "Not Found\n", cors: cors))
        case .methodNotAllowed(let allow):
            // RFC 9110 §15.5.6: a 405 lists the methods the target takes.
            return .response(.text(.methodNotAllowed, "Method Not Allowed\n", fields: [("Allow", allow)], cors: cors))
        }
    }

    /// `/events`: every stream decides on the token for itself, and one that refuses it refuses
    /// the request.
    private func multiplex(_ head: HTTPRequestHead, target: RequestTarget, headOnly: Bool, cors: [(String, String)]) -> Answer {
        let hubs: [StreamHub]
        switch MultiplexRequest.decide(target: target, router: serving.router) {
        case .streams(let found): hubs = found
        case .badRequest(let reason): return .response(.text(.badRequest, "Bad Request: \(reason)\n", cors: cors))
        case .notFound(let reason): return .response(.text(.notFound, "Not Found: \(reason)\n", cors: cors))
        }
        var credentials: [[UInt8]?] = []
        for hub in hubs {
            let credential = BearerCredential.decide(tokens: serving.config.access.tokens(forStream: hub.path), headers: head.headers, target: target)
            if let refusal = Self.unauthorized(credential, cors: cors) { return .response(refusal) }
            credentials.append(credential.digest)
        }
        let streams = MultiplexedStreams(hubs: hubs, credentials: credentials, lastEventID: Self.lastEventID(head, target))
        return .stream(.multiplexed(streams), headOnly: headOnly, cors: cors)
    }

    /// The 401 for a request the token does not let on (RFC 6750 §3; RFC 9110 §15.5.2 requires
    /// the challenge); nil when it may go on.
    static func unauthorized(_ credential: BearerCredential.Decision, cors: [(String, String)]) -> PlainResponse? {
        switch credential {
        case .open, .allowed: return nil
        case .missing, .invalid:
            let text = credential == .missing ? "Unauthorized: this stream needs a token\n" : "Unauthorized: the token is not valid\n"
            return .text(.unauthorized, text, fields: [("WWW-Authenticate", BearerCredential.challenge(for: credential))], cors: cors)
        }
    }

    /// A JSON GET of a stream with no room: it takes no place, but would add to a load the
    /// stream's bound says is enough. `Retry-After` (RFC 9110 §10.2.3) is drawn as a refused
    /// stream's `retry:` is (``RetryBackoff``), so refused clients spread out.
    private func tooManyClients(cors: [(String, String)]) -> PlainResponse {
        let seconds = RetryBackoff(range: limits.overLimitRetry).next().wholeSecondsRoundedUp
        return .text(
            .serviceUnavailable, "Service Unavailable: too many clients; try again later\n",
            fields: [("Retry-After", String(seconds))], cors: cors
        )
    }

    /// A reconnecting EventSource sends the header (WHATWG HTML §9.2.4); clients that cannot set
    /// headers may put the id in the query instead.
    private static func lastEventID(_ head: HTTPRequestHead, _ target: RequestTarget) -> String? {
        head.headers.first(name: "Last-Event-ID") ?? target.queryValue("lastEventId")
    }

    private static let noCache = [("Cache-Control", "no-cache")]
}

extension BearerCredential.Decision {
    /// The digest of the token a request was let in with; nil for an open stream (or a refusal).
    fileprivate var digest: [UInt8]? {
        if case .allowed(let digest) = self { digest } else { nil }
    }
}

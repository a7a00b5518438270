import MirrorCore
@testable import MirrorServer
import NIOCore
import NIOHTTP1
import Testing

/// ``RequestDecision`` without a channel: a request head in, an ``Answer`` out, for each route and
/// each refusal `respond` had. (414 and 431 come before any head, from ``RequestLineGuard``: see
/// HTTPRequestHandlerEmbeddedTests.)
@Suite("request decisions")
struct RequestDecisionTests {
    static let token = "s3cret-token"

    /// Two streams, `/config` and `/b`, over a config that is never read from disk.
    static func decision(
        access: AccessConfig = AccessConfig(), hosts: [String] = [], maxClients: Int? = nil, localAddress: SocketAddress? = nil
    ) -> RequestDecision {
        let streams = ["/config", "/b"].map { StreamConfig(path: $0, watch: "app.json", watchPath: "/nowhere/app.json", format: .json) }
        var config = MirrorConfig(listen: ListenAddress(host: "127.0.0.1", port: 8080), streams: streams, hosts: hosts, file: "/nowhere/mirror.yaml", baseDirectory: "/nowhere")
        config.access = access
        let hubs = streams.map { StreamHub(path: $0.path, maxClients: maxClients) }
        return RequestDecision(
            serving: ServingState(config: config, hubs: hubs), admission: ClientAdmission(maximumClients: nil),
            limits: ServerLimits(overLimitRetry: .milliseconds(6500)...(.milliseconds(6500))), metrics: MirrorMetrics(), localAddress: localAddress
        )
    }

    static func head(_ method: HTTPMethod, _ uri: String, version: HTTPVersion = .http1_1, host: String? = "127.0.0.1:8080", _ fields: [(String, String)] = []) -> HTTPRequestHead {
        HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders((host.map { [("Host", $0)] } ?? []) + fields))
    }

    static func head(_ uri: String, version: HTTPVersion = .http1_1, host: String? = "127.0.0.1:8080", _ fields: [(String, String)] = []) -> HTTPRequestHead {
        head(.GET, uri, version: version, host: host, fields)
    }

    static func response(_ answer: Answer) -> PlainResponse? {
        if case .response(let response) = answer { response } else { nil }
    }

    static func text(_ response: PlainResponse?) -> String {
        response?.body.map { String(buffer: $0) } ?? ""
    }

    static var withTokens: AccessConfig {
        var access = AccessConfig()
        access.tokens = AccessTokens([token])
        return access
    }

    // MARK: routes

    @Test func aStreamPathBecomesAStream() throws {
        let answer = Self.decision().answer(to: Self.head("/config", [("Last-Event-ID", "r-3")]))
        guard case .stream(.one(let hub, let lastEventID, let credential), let headOnly, let cors) = answer else {
            Issue.record("not a stream: \(answer)")
            return
        }
        #expect(hub.path == "/config" && lastEventID == "r-3" && credential == nil && !headOnly && cors.isEmpty)
    }

    /// The id may come in the query, for clients that cannot set headers; HEAD gets the head only.
    @Test func headAndTheQueryFormOfTheLastEventID() {
        let answer = Self.decision().answer(to: Self.head(.HEAD, "/config?lastEventId=r-9"))
        guard case .stream(.one(_, let lastEventID, _), let headOnly, _) = answer else {
            Issue.record("not a stream: \(answer)")
            return
        }
        #expect(lastEventID == "r-9" && headOnly)
    }

    /// RFC 9110 §12.5.1: `application/json` weighed above the event stream gets the document.
    @Test func acceptingJSONAsksForTheDocument() {
        let answer = Self.decision().answer(to: Self.head("/b", [("Accept", "application/json")]))
        guard case .document(let hub, false, _) = answer else {
            Issue.record("not a document: \(answer)")
            return
        }
        #expect(hub.path == "/b")
    }

    @Test func eventsMultiplexesTheNamedStreams() {
        let answer = Self.decision().answer(to: Self.head("/events?stream=/b&stream=/config"))
        guard case .stream(.multiplexed(let streams), false, _) = answer else {
            Issue.record("not a multiplexed stream: \(answer)")
            return
        }
        #expect(streams.hubs.map(\.path) == ["/b", "/config"])
    }

    @Test(arguments: [("/healthz", "application/json"), ("/metrics", MirrorMetrics.contentType)])
    func operations(path: String, contentType: String) {
        let response = Self.response(Self.decision().answer(to: Self.head(path)))
        #expect(response?.status == .ok)
        #expect(response?.headers["Content-Type"] == [contentType])
        #expect(response?.headers["Cache-Control"] == ["no-cache"])
        #expect(response?.body != nil)
    }

    @Test func healthIsAHeadOnlyAnswerForHEAD() {
        let response = Self.response(Self.decision().answer(to: Self.head(.HEAD, "/healthz")))
        #expect(response?.status == .ok && response?.body == nil)
        #expect(Int(response?.headers.first(name: "Content-Length") ?? "0")! > 0)
    }

    /// RFC 9110 §13.1.2: a tag the client holds gets a 304 with the validator and no content.
    @Test(arguments: ["/", "/client.js"])
    func assetsAndTheirValidators(path: String) throws {
        let decision = Self.decision()
        let page = try #require(Self.response(decision.answer(to: Self.head(path))))
        #expect(page.status == .ok && page.body != nil)
        let tag = try #require(page.headers.first(name: "ETag"))
        let again = try #require(Self.response(decision.answer(to: Self.head(path, [("If-None-Match", "W/\(tag)")]))))
        #expect(again.status == .notModified && again.body == nil)
        #expect(again.headers["ETag"] == [tag] && again.headers["Content-Type"].isEmpty)
    }

    /// A preflight needs no token (WHATWG Fetch §4.8) and gets the CORS preflight fields.
    @Test func optionsAndPreflights() {
        var access = Self.withTokens
        access.corsOrigins = ["https://app.example"]
        let decision = Self.decision(access: access)
        let plain = Self.response(decision.answer(to: Self.head(.OPTIONS, "/config")))
        #expect(plain?.status == .noContent && plain?.headers["Allow"] == ["GET, HEAD, OPTIONS"] && plain?.body == nil)
        let preflight = Self.response(decision.answer(to: Self.head(.OPTIONS, "/config", [("Origin", "https://app.example"), ("Access-Control-Request-Method", "GET")])))
        #expect(preflight?.status == .noContent)
        #expect(preflight?.headers["Access-Control-Allow-Origin"] == ["https://app.example"])
        #expect(preflight?.headers["Access-Control-Allow-Headers"] == ["Last-Event-ID, Authorization"])
    }

    /// Refusals after the host check carry CORS too, so a page can read why.
    @Test func corsFieldsGoWithStreamsAndRefusals() {
        var access = AccessConfig()
        access.corsOrigins = ["https://app.example"]
        let decision = Self.decision(access: access)
        let origin = [("Origin", "https://app.example")]
        guard case .stream(_, _, let cors) = decision.answer(to: Self.head("/config", origin)) else {
            Issue.record("not a stream")
            return
        }
        #expect(cors.contains { $0 == ("Access-Control-Allow-Origin", "https://app.example") })
        #expect(Self.response(decision.answer(to: Self.head("/nope", origin)))?.headers["Vary"] == ["Origin"])
    }

    // MARK: refusals

    @Test(arguments: [
        (RequestDecisionTests.head(.GET, "/config", version: .http1_0, host: nil, [("Transfer-Encoding", "chunked")]), "Transfer-Encoding in an HTTP/1.0"),
        (RequestDecisionTests.head(.GET, "/config", [("Transfer-Encoding", "chunked"), ("Content-Length", "3")]), "both Transfer-Encoding"),
        (RequestDecisionTests.head(.GET, "*"), "not a path or an http URL"),
        (RequestDecisionTests.head(.GET, "/config", host: nil), "needs a Host"),
        (RequestDecisionTests.head(.GET, "/config", [("Host", "localhost")]), "more than one Host"),
        (RequestDecisionTests.head(.GET, "/config", host: "a b"), "not a host[:port]"),
        (RequestDecisionTests.head(.GET, "/events"), "name the streams"),
        (RequestDecisionTests.head(.GET, "/events?stream=/b&stream=/b"), "named twice"),
        (RequestDecisionTests.head(.GET, "/events?stream=%zz"), "not form-encoded"),
    ])
    func badRequests(head: HTTPRequestHead, reason: String) {
        let response = Self.response(Self.decision().answer(to: head))
        #expect(response?.status == .badRequest)
        #expect(Self.text(response).contains(reason), "\(Self.text(response))")
        #expect(response?.headers["Connection"] == ["close"])
    }

    /// RFC 9112 §6.1: a transfer coding we do not know is 501, not 400.
    @Test func unknownTransferCodingIsNotImplemented() {
        let response = Self.response(Self.decision().answer(to: Self.head("/config", [("Transfer-Encoding", "gzip, chunked")])))
        #expect(response?.status == .notImplemented)
        #expect(Self.text(response).contains("'gzip'"))
    }

    /// A host this server is not reached by: 403, and the host, for the log.
    @Test func unknownHostIsForbidden() {
        let answer = Self.decision().answer(to: Self.head("/config", host: "evil.example:8080"))
        guard case .refusedHost(let response, let host) = answer else {
            Issue.record("not refused: \(answer)")
            return
        }
        #expect(response.status == .forbidden && host == "evil.example")
        #expect(Self.decision(hosts: ["evil.example"]).answer(to: Self.head("/nope", host: "evil.example")).isNotFound)
        // The address the connection arrived at is a host too.
        let local = try? SocketAddress(ipAddress: "10.1.2.3", port: 8080)
        #expect(Self.decision(localAddress: local).answer(to: Self.head("/nope", host: "10.1.2.3:8080")).isNotFound)
    }

    /// RFC 6750 §3: no token, or a wrong one, is a 401 with its challenge; the right one carries its digest.
    @Test func tokens() {
        let decision = Self.decision(access: Self.withTokens)
        let missing = Self.response(decision.answer(to: Self.head("/config")))
        #expect(missing?.status == .unauthorized)
        #expect(missing?.headers["WWW-Authenticate"] == [#"Bearer realm="sse-mirror""#])
        let wrong = Self.response(decision.answer(to: Self.head("/healthz", [("Authorization", "Bearer nope")])))
        #expect(wrong?.status == .unauthorized)
        #expect(wrong?.headers["WWW-Authenticate"] == [#"Bearer realm="sse-mirror", error="invalid_token""#])
        #expect(Self.response(decision.answer(to: Self.head("/metrics")))?.status == .unauthorized)
        #expect(Self.response(decision.answer(to: Self.head("/events?stream=/b")))?.status == .unauthorized)
        guard case .stream(.one(_, _, let credential), _, _) = decision.answer(to: Self.head("/config?access_token=\(Self.token)")) else {
            Issue.record("the token did not open the stream")
            return
        }
        #expect(credential == AccessTokens([Self.token]).match(Self.token))
        // The page and its script hold no secret.
        #expect(Self.response(decision.answer(to: Self.head("/")))?.status == .ok)
    }

    /// One stream of `/events` that refuses the token refuses the request.
    @Test func oneStreamOfAMultiplexRefuses() {
        var access = AccessConfig()
        access.streamTokens = ["/b": AccessTokens([Self.token])]
        let decision = Self.decision(access: access)
        #expect(Self.response(decision.answer(to: Self.head("/events?stream=/config&stream=/b")))?.status == .unauthorized)
        guard case .stream(.multiplexed(let streams), _, _) = decision.answer(to: Self.head("/events?stream=/config&stream=/b&access_token=\(Self.token)")) else {
            Issue.record("not a stream")
            return
        }
        #expect(streams.credentials[0] == nil && streams.credentials[1] != nil)
    }

    @Test func notFound() {
        #expect(Self.decision().answer(to: Self.head("/nope")).isNotFound)
        let response = Self.response(Self.decision().answer(to: Self.head("/events?stream=/nope")))
        #expect(response?.status == .notFound && Self.text(response).contains("no stream '/nope'"))
    }

    /// RFC 9110 §15.5.6: a 405 lists what the path takes.
    @Test(arguments: [HTTPMethod.POST, .PUT, .DELETE])
    func methodNotAllowed(method: HTTPMethod) {
        let response = Self.response(Self.decision().answer(to: Self.head(method, "/config")))
        #expect(response?.status == .methodNotAllowed && response?.headers["Allow"] == ["GET, HEAD, OPTIONS"])
    }

    /// A JSON GET of a full stream takes no place, but is refused: 503 with the refused
    /// stream's delay, in whole seconds rounded up (RFC 9110 §10.2.3).
    @Test func aJSONGetOfAFullStreamIsServiceUnavailable() {
        let decision = Self.decision(maxClients: 0)
        let response = Self.response(decision.answer(to: Self.head("/config", [("Accept", "application/json")])))
        #expect(response?.status == .serviceUnavailable && response?.headers["Retry-After"] == ["7"])
        // An EventSource is not refused here: it gets a 200 that sets retry: (OverLimitStream).
        guard case .stream = decision.answer(to: Self.head("/config")) else {
            Issue.record("an event stream was refused by the decision")
            return
        }
    }

    // MARK: the document and the settle wait

    static func changed(_ version: UInt64) -> EncodedEvent {
        SSEEncoder().encode(.changed(id: EventID(run: "r", version: version), document: Array(#"{"v":1}"#.utf8)), sequence: version)
    }

    /// RFC 9110 §8.8.3: the version's id is the entity tag; a client that holds it gets a 304.
    @Test func theDocumentAndItsTag() {
        let ok = RequestDecision.document(Self.changed(4), ifNoneMatch: [], headOnly: false, cors: [])
        #expect(ok.status == .ok && Self.text(ok) == #"{"v":1}"#)
        #expect(ok.headers["ETag"] == [#""r-4""#] && ok.headers["Content-Type"] == ["application/json"])
        let same = RequestDecision.document(Self.changed(4), ifNoneMatch: [#""x", W/"r-4""#], headOnly: false, cors: [])
        #expect(same.status == .notModified && same.body == nil && same.headers["ETag"] == [#""r-4""#])
        let head = RequestDecision.document(Self.changed(4), ifNoneMatch: [#""r-3""#], headOnly: true, cors: [])
        #expect(head.status == .ok && head.body == nil && head.headers["Content-Length"] == ["7"])
    }

    @Test func noDocumentIsNotFoundInJSON() {
        let absent = RequestDecision.document(nil, ifNoneMatch: [], headOnly: false, cors: [])
        #expect(absent.status == .notFound && Self.text(absent) == #"{"error":"the watched file is absent","removed":null}"# + "\n")
        let removed = SSEEncoder().encode(.removed(id: EventID(run: "r", version: 2), watch: "app.json"), sequence: 2)
        let gone = RequestDecision.document(removed, ifNoneMatch: ["*"], headOnly: false, cors: [])
        #expect(gone.status == .notFound && Self.text(gone).hasPrefix(#"{"error":"the watched file is absent","removed":{"#))
    }

    @Test func stillEncodingAsksBackInASecond() {
        let response = RequestDecision.stillEncoding(cors: [("Vary", "Origin")])
        #expect(response.status == .serviceUnavailable && response.headers["Retry-After"] == ["1"] && response.headers["Vary"] == ["Origin"])
    }
}

extension Answer {
    fileprivate var isNotFound: Bool {
        if case .response(let response) = self { response.status == .notFound } else { false }
    }
}

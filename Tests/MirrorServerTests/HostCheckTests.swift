import MirrorServer
import NIOCore
import Testing

/// DNS rebinding: a page on a domain re-pointed at 127.0.0.1 is same-origin with it, but its
/// browser still names that domain in `Host`. Only names this server is reached by are answered.
@Suite("host check", .timeLimit(.minutes(1)))
struct HostCheckTests {
    static let document = #"{"a": 1}"#

    func request(_ fixture: MirrorFixture, _ raw: String) async throws -> TestClient {
        let client = try await fixture.request(raw)
        try await client.waitForText { $0.contains("\r\n\r\n") }
        return client
    }

    @Test(arguments: ["localhost", "localhost:8080", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:443", "[::1]:8080", "[::1]", "localhost."])
    func loopbackNamesWithAnyPortAreServed(host: String) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await request(fixture, "GET /config HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            #expect(client.head?.hasPrefix("HTTP/1.1 200 OK") == true, "\(host): \(client.text)")
            await client.close()
        }
    }

    @Test(arguments: ["evil.example", "evil.example:8080", "127.0.0.1.nip.io", "localhost.evil.example", "10.0.0.5"])
    func otherHostsAre403NamingTheSetting(host: String) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await request(fixture, "GET /config HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            try await client.waitUntilClosed()
            #expect(client.text.hasPrefix("HTTP/1.1 403 Forbidden\r\n"), "\(host)")
            #expect(client.body.contains("'hosts:' in mirror.yaml"))
            #expect(!client.text.contains("event:"))
        }
    }

    @Test func hostsSettingAddsNames() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document], hosts: ["dash.example.com"])) { fixture in
            let allowed = try await request(fixture, "GET /config HTTP/1.1\r\nHost: Dash.Example.com:443\r\n\r\n")
            #expect(allowed.head?.hasPrefix("HTTP/1.1 200 OK") == true)
            await allowed.close()
            let other = try await request(fixture, "GET /config HTTP/1.1\r\nHost: other.example.com\r\n\r\n")
            #expect(other.head?.hasPrefix("HTTP/1.1 403") == true)
        }
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without `Host`, or with two, is answered 400.
    @Test(arguments: [
        "GET /config HTTP/1.1\r\n\r\n",
        "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /config HTTP/1.1\r\nHost: 127.0.0.1:80x\r\n\r\n",
        "GET /config HTTP/1.1\r\nHost: a b\r\n\r\n",
    ])
    func missingDuplicateOrMalformedHostIs400(raw: String) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await request(fixture, raw)
            try await client.waitUntilClosed()
            #expect(client.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(client.text)")
        }
    }

    /// HTTP/1.0 has no required Host, and no browser sends a request without one.
    @Test func http10WithoutHostIsServed() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await request(fixture, "GET /config HTTP/1.0\r\n\r\n")
            #expect(client.head?.hasPrefix("HTTP/1.0 200 OK") == true)
            await client.close()
        }
    }

    /// Absolute form (RFC 9112 §3.2.2): the target's authority is checked, not the Host field.
    @Test func absoluteFormTargetsAreRoutedAndChecked() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let ok = try await request(fixture, "GET http://127.0.0.1:\(fixture.port)/config?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await ok.waitFor("the document") { $0.count == 1 }
            await ok.close()
            let evil = try await request(fixture, "GET http://evil.example/config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(evil.head?.hasPrefix("HTTP/1.1 403") == true)
            let health = try await request(fixture, "GET HTTP://LOCALHOST/healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(health.head?.hasPrefix("HTTP/1.1 200 OK") == true)
        }
    }

    @Test func policyDecisions() throws {
        let policy = HostPolicy(listenHost: "192.168.1.5", extra: ["dash.example.com", "[fe80::1]"])
        let origin = RequestTarget(path: "/config")
        #expect(policy.decide(hostFields: ["192.168.1.5:8080"], target: origin, http11: true, localAddress: nil) == .allowed)
        #expect(policy.decide(hostFields: ["[fe80::1]:1"], target: origin, http11: true, localAddress: nil) == .allowed)
        #expect(policy.decide(hostFields: ["192.168.1.6"], target: origin, http11: true, localAddress: nil) == .forbidden(host: "192.168.1.6"))
        // The address the connection arrived at is an IP literal, which no rebinding can produce.
        let local = try SocketAddress(ipAddress: "192.168.1.6", port: 8080)
        #expect(policy.decide(hostFields: ["192.168.1.6"], target: origin, http11: true, localAddress: local) == .allowed)
        #expect(policy.decide(hostFields: [], target: origin, http11: false, localAddress: nil) == .allowed)
        #expect(policy.decide(hostFields: [""], target: origin, http11: true, localAddress: nil) != .allowed)
    }

    @Test func requestTargets() {
        #expect(RequestTarget(parsing: "/config?x#y") == RequestTarget(path: "/config", query: "x"))
        #expect(RequestTarget(parsing: "/config#y?z") == RequestTarget(path: "/config"))
        #expect(RequestTarget(parsing: "http://a:1/config?x") == RequestTarget(path: "/config", authority: "a:1", query: "x"))
        #expect(RequestTarget(parsing: "https://a") == RequestTarget(path: "/", authority: "a"))
        #expect(RequestTarget(parsing: "http://user@a/config") == nil)
        #expect(RequestTarget(parsing: "config") == nil)
        #expect(RequestTarget(parsing: "*") == nil)
    }

    @Test func queryValuesAreFormDecoded() {
        let target = RequestTarget(parsing: "/config?a=1&lastEventId=lz3-7&b&c=x%2By+z&bad=%zz")!
        #expect(target.queryValue("lastEventId") == "lz3-7")
        #expect(target.queryValue("b") == "")
        #expect(target.queryValue("c") == "x+y z")
        #expect(target.queryValue("bad") == nil)
        #expect(target.queryValue("missing") == nil)
        #expect(RequestTarget(parsing: "/config")!.queryValue("a") == nil)
    }

    @Test func acceptChoosesTheJSONDocumentOnlyWhenPreferred() {
        #expect(MediaPreference(accept: ["text/event-stream"]) == .eventStream)
        #expect(MediaPreference(accept: ["*/*"]) == .eventStream)
        #expect(MediaPreference(accept: []) == .eventStream)
        #expect(MediaPreference(accept: ["application/json"]) == .json)
        #expect(MediaPreference(accept: ["application/json, */*;q=0.1"]) == .json)
        #expect(MediaPreference(accept: ["text/event-stream, application/json"]) == .eventStream)
        #expect(MediaPreference(accept: ["application/json;q=0.5", "text/event-stream;q=0.9"]) == .eventStream)
        #expect(MediaPreference(accept: ["APPLICATION/JSON ; q=1"]) == .json)
        #expect(MediaPreference(accept: ["application/json;q=0"]) == .eventStream)
    }
}

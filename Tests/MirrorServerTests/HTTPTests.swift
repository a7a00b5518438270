import Glibc
import MirrorCore
import MirrorServer
import MirrorTestSupport
import Testing

@Suite("HTTP and SSE framing", .timeLimit(.minutes(1)))
struct HTTPTests {
    static let document = "{\n  \"a\": [1, 2],\n  \"b\": \"x\"\n}\n"

    /// The exact bytes on the wire (WHATWG event-stream rules, RFC 9112 chunked coding).
    @Test func eventStreamWireFormat() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.subscribe()
            let events = try await client.waitFor("first event") { $0.count == 1 }
            let id = try #require(events[0].id)
            #expect(id.wholeMatch(of: /[0-9a-z]+-1/) != nil)
            let body = "event: changed\nid: \(id)\ndata: {\"a\":[1,2],\"b\":\"x\"}\n\n"
            let expected =
                "HTTP/1.1 200 OK\r\n"
                + "Content-Type: text/event-stream; charset=utf-8\r\n"
                + "Cache-Control: no-cache\r\n"
                + "X-Accel-Buffering: no\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "d\r\nretry: 2000\n\n\r\n"
                + String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n"
            #expect(client.text == expected)
            try fixture.directory.write("app.json", #"{"a": 2}"#)
            let next = try await client.waitFor("second event") { $0.count == 2 }
            #expect(next[1].name == "changed")
            #expect(next[1].id == id.replacingOccurrences(of: "-1", with: "-2"))
            #expect(next[1].data == #"{"a":2}"#)
            await client.close()
        }
    }

    /// HTTP/1.0 has no chunked coding: the body is the bare event stream, ended by closing.
    @Test func http10GetsAnUnchunkedBody() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.subscribe(version: "HTTP/1.0")
            try await client.waitFor("first event") { $0.count == 1 }
            #expect(client.head?.hasPrefix("HTTP/1.0 200 OK\r\n") == true)
            #expect(client.head?.contains("Connection: close") == true)
            #expect(client.head?.lowercased().contains("transfer-encoding") == false)
            #expect(client.text.hasSuffix("\r\n\r\nretry: 2000\n\n" + "event: changed\nid: \(client.events[0].id!)\ndata: {\"a\":[1,2],\"b\":\"x\"}\n\n"))
            await client.close()
        }
    }

    /// `listen: "[::1]:0"` serves on IPv6 loopback.
    @Test func servesOnIPv6() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document], host: "::1")) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("first event") { $0.count == 1 }
            await client.close()
        }
    }

    @Test func queryStringsAreIgnoredForRouting() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.subscribe("/config?since=now")
            try await client.waitFor("first event") { $0.count == 1 }
            await client.close()
        }
    }

    @Test func unknownPathIs404() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            for path in ["/nope", "/config/", "/Config", "/index.html", "/client.js/"] {  // "/" is the dashboard
                let client = try await fixture.request("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                try await client.waitUntilClosed()
                #expect(client.text.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(path)")
            }
        }
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "PATCH"])
    func otherMethodsAre405WithAllow(method: String) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.request("\(method) /config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
            try await client.waitUntilClosed()
            #expect(client.text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(client.head?.contains("Allow: GET, HEAD, OPTIONS") == true)
        }
    }

    /// OPTIONS without a CORS preflight says what the path allows (RFC 9110 §9.3.7).
    @Test func optionsListsTheMethods() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.request("OPTIONS /config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await client.waitUntilClosed()
            #expect(client.text.hasPrefix("HTTP/1.1 204 No Content\r\n"))
            #expect(client.head?.contains("Allow: GET, HEAD, OPTIONS") == true)
            #expect(client.head?.contains("Access-Control") == false)
        }
    }

    /// HEAD gets the stream's header fields and no body (RFC 9110 §9.3.2).
    @Test func headHasTheHeadersAndNoBody() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.request("HEAD /config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await client.waitUntilClosed()
            #expect(client.text.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"))
            #expect(client.text.hasSuffix("\r\n\r\n"))
            #expect(!client.text.contains("event:"))
        }
    }

    @Test func malformedRequestIs400() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.request("GARBAGE\u{1}\r\n\r\n")
            try await client.waitUntilClosed()
            #expect(client.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        }
    }

    /// A connection that never finishes its request is closed, not kept forever.
    @Test func incompleteRequestsTimeOut() async throws {
        try await withServer(MirrorFixture.start(
            files: ["app.json": Self.document],
            // Long enough that a loaded test machine still gets the second request out in time.
            limits: ServerLimits(requestTimeout: .seconds(2))
        )) { fixture in
            let client = try await fixture.request("GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            try await client.waitUntilClosed(timeout: .seconds(5))
            #expect(client.text.isEmpty)
            // A stream, once its request is complete, is not subject to the timeout.
            let stream = try await fixture.subscribe()
            try await stream.waitFor("first") { $0.count == 1 }
            try await Task.sleep(for: .milliseconds(2500))
            #expect(!stream.isClosed)
            await stream.close()
        }
    }

    /// A client that stops reading is closed once its queue passes the bound, instead of growing it.
    @Test func slowClientsAreDroppedAtTheBound() async throws {
        let big = "{\"pad\": \"" + String(repeating: "x", count: 256 * 1024) + "\"}"
        try await withServer(MirrorFixture.start(
            files: ["app.json": big],
            limits: ServerLimits(maximumQueuedBytes: 512 * 1024)
        )) { fixture in
            let stalled = try await RawSocket.connect(port: fixture.port, request: "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", receiveBuffer: 4096)
            defer { stalled.close() }
            let healthy = try await fixture.subscribe()
            try await healthy.waitFor("first", timeout: .seconds(10)) { $0.count == 1 }
            let directory = fixture.directory
            for n in 0..<40 {
                // A quarter megabyte made and written on a thread of its own, off the test pool.
                try await offPool { try directory.write("app.json", big.replacingOccurrences(of: "\"pad\"", with: "\"pad\(n)\"")) }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await eventually(timeout: .seconds(10)) { await fixture.servedClients() == 1 }
            #expect(fixture.instance.metrics.registry.emitToString().contains(#"sse_mirror_disconnects_total{stream="/config",reason="slow_client"} 1"#))
            let events = try await healthy.waitFor("the last change", timeout: .seconds(10)) { $0.last?.data.hasPrefix("{\"pad39\"") == true }
            #expect(events.count > 1)
            await healthy.close()
        }
    }

    @Test func healthz() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.request("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await client.waitUntilClosed()
            #expect(client.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(client.body.hasPrefix(#"{"status":"ok","streams":[{"path":"/config""#))
        }
    }

    /// A client that goes away leaves the hub at once; nothing keeps writing to it.
    @Test func closedClientsAreCleanedUp() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            var clients: [TestClient] = []
            for _ in 0..<5 {
                let client = try await fixture.subscribe()
                try await client.waitFor("first event") { $0.count == 1 }
                clients.append(client)
            }
            #expect(await fixture.servedClients() == 5)
            for client in clients.prefix(3) { await client.close() }
            try await eventually { await fixture.servedClients() == 2 }
            for client in clients.suffix(2) { await client.close() }
            try await eventually { await fixture.servedClients() == 0 }
        }
    }

    @Test func heartbeatsAreCommentLines() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document], heartbeat: .milliseconds(100))) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitForText { $0.components(separatedBy: ": heartbeat\n\n").count >= 3 }
            // Comments dispatch nothing: still just the one event.
            #expect(client.events.count == 1)
            await client.close()
        }
    }

    /// One read and one encoding, fanned out: every client gets every change, in order.
    @Test func manyClientsEachReceiveEveryChange() async throws {
        let count = Int(Environment.value("SSE_MIRROR_TEST_CLIENTS") ?? "") ?? 200
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"n": 0}"#])) { fixture in
            var clients: [TestClient] = []
            for _ in 0..<count { clients.append(try await fixture.subscribe()) }
            for client in clients { try await client.waitFor("first event", timeout: .seconds(30)) { $0.count == 1 } }
            for n in 1...3 {
                try fixture.directory.write("app.json", #"{"n": \#(n)}"#)
                try await Task.sleep(for: .milliseconds(100))
            }
            for client in clients {
                let events = try await client.waitFor("three changes", timeout: .seconds(30)) { $0.count == 4 }
                #expect(events.map(\.data) == [#"{"n":0}"#, #"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
            }
            // They all got the same versions: the same ids.
            #expect(Set(clients.map { $0.events.map(\.id) }).count == 1)
            for client in clients { await client.close() }
        }
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}

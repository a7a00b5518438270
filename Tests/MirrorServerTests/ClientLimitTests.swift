import Glibc
import MirrorCore
import MirrorServer
import NIOCore
import Testing

/// `max_clients`, for the server and per stream: a refused EventSource gets a 200 stream that
/// only sets `retry:` (any other status would stop it for good), a JSON GET a 503.
@Suite("client limits", .timeLimit(.minutes(1)))
struct ClientLimitTests {
    static let document = #"{"a": 1}"#

    /// The `retry:` of a refused stream, which must say when to come back.
    func refusedRetry(_ client: TestClient, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int? {
        try await client.waitUntilClosed(timeout: .seconds(5))
        #expect(client.text.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"), sourceLocation: sourceLocation)
        #expect(client.text.hasSuffix("\r\n0\r\n\r\n"), "the stream ends cleanly", sourceLocation: sourceLocation)
        #expect(client.events.isEmpty, sourceLocation: sourceLocation)
        return client.body.firstMatch(of: /^retry: (\d+)\n\n$/).flatMap { Int($0.1) }
    }

    @Test func theServerWideLimitRefusesWith200AndRetryThenAdmitsWhenOneLeaves() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document], limits: ServerLimits(maximumClients: 2))) { fixture in
            let first = try await fixture.subscribe()
            let second = try await fixture.subscribe()
            for client in [first, second] { try await client.waitFor("the document") { $0.count == 1 } }
            let refused = try await fixture.subscribe()
            let retry = try #require(try await refusedRetry(refused))
            #expect((5000...30000).contains(retry))
            let json = try await fixture.request("GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
            try await json.waitForText { $0.contains("\r\n\r\n") }
            #expect(json.text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
            let after = try #require(json.head?.firstMatch(of: /\r\nRetry-After: (\d+)/).flatMap { Int($0.1) })
            #expect((5...30).contains(after))
            #expect(fixture.hub().clients.count == 2)
            await first.close()
            try await eventually { fixture.hub().clients.count == 1 }
            let admitted = try await fixture.subscribe()
            try await admitted.waitFor("the document") { $0.count == 1 }
            #expect(!admitted.isClosed)
            let plain = try await fixture.request("GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
            try await plain.waitForText { $0.contains("\r\n\r\n") }
            #expect(plain.text.hasPrefix("HTTP/1.1 503 "), "full again")
            for client in [second, admitted] { await client.close() }
            try await eventually { fixture.hub().clients.count == 0 }
        }
    }

    /// A stream's own `max_clients` bounds it alone; the other stream still admits.
    @Test func theStreamLimitRefusesOnlyThatStream() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", Self.document)
        try directory.write("b.json", Self.document)
        var limited = StreamConfig(path: "/a", watch: "a.json", watchPath: directory.path + "/a.json", format: .json)
        limited.maxClients = 1
        let open = StreamConfig(path: "/b", watch: "b.json", watchPath: directory.path + "/b.json", format: .json)
        let config = MirrorConfig(listen: ListenAddress(host: "127.0.0.1", port: 0), heartbeat: nil, streams: [limited, open],
                                  file: directory.url("mirror.yaml"), baseDirectory: directory.path)
        try await withServer(MirrorFixture.serve(config, in: directory)) { fixture in
            let first = try await fixture.subscribe("/a")
            try await first.waitFor("the document") { $0.count == 1 }
            let refused = try await fixture.subscribe("/a")
            #expect(try await refusedRetry(refused) != nil)
            // HTTP/1.0 has no chunks: the refusal is the bare `retry:`, then the close.
            let old = try await fixture.subscribe("/a", version: "HTTP/1.0")
            try await old.waitUntilClosed()
            #expect(old.text.hasPrefix("HTTP/1.0 200 OK\r\n"))
            #expect(old.body.wholeMatch(of: /retry: \d+\n\n/) != nil, "\(old.body)")
            var others: [TestClient] = []
            for _ in 0..<3 {
                let client = try await fixture.subscribe("/b")
                try await client.waitFor("the document") { $0.count == 1 }
                others.append(client)
            }
            #expect(fixture.hub("/a").clients.count == 1)
            #expect(fixture.hub("/b").clients.count == 3)
            for client in others + [first] { await client.close() }
        }
    }

    /// Clients that connect at once, on both loops, are counted exactly: as many are admitted as
    /// the limit allows, no more, and every place comes back when they leave.
    @Test func concurrentConnectsAreCountedExactly() async throws {
        let limit = 25
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document], limits: ServerLimits(maximumClients: limit))) { fixture in
            let clients = try await withThrowingTaskGroup(of: TestClient.self) { group in
                for _ in 0..<100 { group.addTask { try await fixture.subscribe() } }
                return try await group.reduce(into: [TestClient]()) { $0.append($1) }
            }
            try await eventually(timeout: .seconds(20)) {
                clients.allSatisfy { $0.events.count == 1 || $0.isClosed }
            }
            let admitted = clients.filter { $0.events.count == 1 }
            #expect(admitted.count == limit)
            #expect(fixture.hub().clients.count == limit)
            #expect(await fixture.servedClients() == limit)
            // Leaving at once, from both loops.
            await withTaskGroup(of: Void.self) { group in
                for client in clients { group.addTask { await client.close() } }
            }
            try await eventually { fixture.hub().clients.count == 0 }
            #expect(await fixture.servedClients() == 0)
            // Every place is free again.
            let again = try await withThrowingTaskGroup(of: TestClient.self) { group in
                for _ in 0..<limit { group.addTask { try await fixture.subscribe() } }
                return try await group.reduce(into: [TestClient]()) { $0.append($1) }
            }
            for client in again { try await client.waitFor("the document", timeout: .seconds(10)) { $0.count == 1 } }
            #expect(fixture.hub().clients.count == limit)
            for client in again { await client.close() }
        }
    }
}

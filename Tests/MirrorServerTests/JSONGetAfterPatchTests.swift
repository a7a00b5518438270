import Foundation
import MirrorCore
import Testing

/// "A GET must never return a version older than one already sent to any client": on a patch
/// stream the `patch` goes out before the whole document is encoded (`StreamHub.settle`), so a JSON
/// GET made the moment a client has the patch must wait for that document, not answer the one
/// before. The real binary, a 2 MB document, a GET after every patch.
@Suite("a JSON GET after a patch", .timeLimit(.minutes(3)))
struct JSONGetAfterPatchTests {
    static let config = """
        listen: 127.0.0.1:0
        heartbeat: 0
        streams:
          - path: /big
            watch: big.json
            emit: patch
        """

    /// Version `seq` of a 2 MB document: `seq` first, so the answer's first bytes say which it is.
    static func document(_ seq: Int) -> String {
        let filler = String(repeating: "x", count: 1000)
        let items = (0..<2000).map { "\"\($0) \(filler)\"" }.joined(separator: ",")
        return "{\"seq\":\(seq),\"items\":[\(items)]}"
    }

    /// A JSON GET's whole answer.
    static func answer(port: Int, fields: String = "") async throws -> TestClient {
        let client = try await TestClient.connect(
            port: port, group: MultiThreadedEventLoopGroupHolder.shared,
            request: "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\(fields)\r\n"
        )
        try await client.waitUntilClosed(timeout: .seconds(20))
        return client
    }

    /// The `ETag`'s id and the `seq` of the body of a JSON GET.
    static func versionAnswered(port: Int) async throws -> (id: EventID, seq: Int) {
        let client = try await answer(port: port)
        let head = try #require(client.head)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
        let tag = head.firstMatch(of: /\r\nETag: "([^"]+)"/).flatMap { EventID(parsing: String($0.1)) }
        let seq = client.body.prefix(40).firstMatch(of: /^\{"seq":(\d+),/).flatMap { Int($0.1) }
        return (try #require(tag, "\(head)"), try #require(seq))
    }

    /// The parked GET itself: a patch published without its document holds the answer (no
    /// thread waits), and the settle, from another thread, answers it with that version.
    @Test func aParkedGetIsAnsweredByTheSettle() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"a": 1}"#], emit: .patch)) { fixture in
            let hub = fixture.hub()
            let run = try #require(hub.current().state?.id?.run)
            let encoder = SSEEncoder()
            let id = EventID(run: run, version: 2)
            hub.publish([.version(encoder.encode(.patch(id: id, operations: Array(#"[{"op":"replace","path":"/a","value":2}]"#.utf8)), sequence: hub.nextSequence()), state: nil)])
            let request = "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"
            let parked = try await fixture.request(request)
            // Half-closed after its request, as `printf … | nc` sends it: it still wants the answer.
            try await parked.shutdownOutput()
            try await Task.sleep(for: .milliseconds(200))
            #expect(parked.head == nil, "answered before the document of version 2 existed: \(parked.text)")
            hub.settle(encoder.encode(.changed(id: id, document: Array(#"{"a":2}"#.utf8)), sequence: hub.nextSequence()))
            try await parked.waitUntilClosed()
            #expect(parked.head?.contains("\r\nETag: \"\(id)\"") == true, "\(parked.text)")
            #expect(parked.body == #"{"a":2}"#)
            // Settled: the next GET is answered at once.
            let next = try await fixture.request(request)
            try await next.waitUntilClosed()
            #expect(next.body == #"{"a":2}"#)
        }
    }

    /// The wait is bounded: a document that never settles is a 503 with Retry-After, never the
    /// older version.
    @Test func aGetWhoseDocumentNeverComesIs503() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"a": 1}"#], emit: .patch)) { fixture in
            let hub = fixture.hub()
            let id = EventID(run: try #require(hub.current().state?.id?.run), version: 2)
            hub.publish([.version(SSEEncoder().encode(.patch(id: id, operations: Array("[]".utf8)), sequence: hub.nextSequence()), state: nil)])
            let parked = try await fixture.request("GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
            try await parked.waitUntilClosed(timeout: .seconds(30))
            #expect(parked.text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(parked.text)")
            #expect(parked.head?.contains("\r\nRetry-After: 1") == true)
            #expect(!parked.text.contains(#"{"a""#), "never the older document")
        }
    }

    @Test func aGetRightAfterAPatchIsNeverOlderThanIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("big.json", Self.document(1))
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let follower = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/big")
            try await follower.waitFor("the first document", timeout: .seconds(20)) { $0.count == 1 }
            var older = 0
            for seq in 2...26 {
                try directory.write("big.json.tmp", Self.document(seq))
                try directory.rename("big.json.tmp", "big.json")
                let events = try await follower.waitFor("patch \(seq)", timeout: .seconds(20)) { $0.count == seq }
                #expect(events.last?.name == "patch")
                let patch = try #require(events.last?.id.flatMap(EventID.init(parsing:)))
                if seq % 3 == 0 {
                    // A script that polls with the id it has: not modified, never the older document.
                    let conditional = try await Self.answer(port: server.port, fields: "If-None-Match: \"\(patch)\"\r\n")
                    #expect(conditional.head?.hasPrefix("HTTP/1.1 304 Not Modified\r\n") == true, "\(conditional.head ?? "")")
                    if conditional.head?.hasPrefix("HTTP/1.1 304 ") != true { older += 1 }
                    continue
                }
                let answer = try await Self.versionAnswered(port: server.port)
                // Each save is one version, the first being 1: version and seq go together.
                #expect(answer.id.run == patch.run && Int(answer.id.version) == answer.seq)
                if answer.id.version < patch.version || answer.seq < seq { older += 1 }
            }
            #expect(older == 0, "\(older) of 25 JSON GETs answered a version older than the patch a client already had")
            await follower.close()
            #expect(await server.stop() == 0)
        }
    }
}

import Foundation
import NIOCore
import NIOPosix
import Testing

/// `/healthz` shows, for each stream with `publish:`, where it publishes and how that fares
/// (PROTOCOL.md, "Health"): the real binary, one target that answers (a stand-in for nchan) and
/// one nothing listens on, whose URL holds a password that must never be shown.
@Suite("publish status in /healthz", .timeLimit(.minutes(1)))
struct PublishHealthTests {
    static let password = "s3cretPW-71c2"

    /// A file, a line and a tree stream publishing to `down` (the global target), the tree to
    /// `up` instead, and a file stream that publishes nowhere.
    static func config(up: Int, down: Int) -> String {
        """
        listen: 127.0.0.1:0
        heartbeat: 0
        publish:
          nchan: "http://user:\(password)@127.0.0.1:\(down)/pub/{stream}"
        streams:
          - path: /config
            watch: app.json
          - path: /log
            watch: app.log
            format: lines
          - path: /tree
            watch: art/
            publish: {nchan: "http://127.0.0.1:\(up)/pub/{stream}"}
          - path: /quiet
            watch: app.json
            publish: null
        """
    }

    /// The files of ``config(up:down:)`` and a server over them.
    static func start(up: Int, down: Int, in directory: TemporaryDirectory) async throws -> ServerProcess {
        try directory.write("app.json", #"{"a": 1}"#)
        try directory.write("app.log", "one\ntwo\n")
        try directory.mkdir("art")
        try directory.write("art/one.json", #"{"x": 1}"#)
        try directory.write("mirror.yaml", config(up: up, down: down))
        return try await ServerProcess(config: directory.url("mirror.yaml"), in: directory)
    }

    /// A port nothing listens on: one the kernel just gave out and took back.
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroupHolder.shared).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// A whole plain answer from the server.
    static func fetch(_ path: String, port: Int) async throws -> TestClient {
        let client = try await TestClient.connect(
            port: port, group: MultiThreadedEventLoopGroupHolder.shared, request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        try await client.waitUntilClosed()
        return client
    }

    /// Each stream's health object, by path.
    static func streams(port: Int) async throws -> (text: String, byPath: [String: [String: Any]]) {
        let body = try await fetch("/healthz", port: port).body
        let report = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
        let streams = try #require(report["streams"] as? [[String: Any]])
        return (body, Dictionary(uniqueKeysWithValues: streams.map { ($0["path"] as? String ?? "", $0) }))
    }

    @Test func aTargetThatIsDownIsFailingAndOneThatAnswersSucceeded() async throws {
        let fake = FakeHub()
        let hubChannel = try await fake.bind(on: MultiThreadedEventLoopGroupHolder.shared)
        let up = try #require(hubChannel.localAddress?.port)
        let down = try await Self.closedPort()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(Self.start(up: up, down: down, in: directory)) { server in
            try await fake.waitFor { $0.contains { $0.uri == "/pub/tree" } }
            let settled = try await poll(timeout: .seconds(40), every: .milliseconds(50)) {
                let streams = try await Self.streams(port: server.port).byPath
                let publish = { (path: String) in streams[path]?["publish"] as? [String: Any] }
                return publish("/config")?["failing_since"] is String && publish("/log")?["failing_since"] is String
                    && publish("/tree")?["last_success"] is String
            }
            let (text, streams) = try await Self.streams(port: server.port)
            #expect(settled, "\(text)")
            for path in ["/config", "/log"] {
                let publish = try #require(streams[path]?["publish"] as? [String: Any], "\(path): \(text)")
                #expect(publish["target"] as? String == "http://***@127.0.0.1:\(down)/pub/{stream}")
                #expect(publish["last_success"] is NSNull)
                #expect((publish["failing_since"] as? String)?.firstMatch(of: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/) != nil, "\(publish)")
                #expect((publish["queued"] as? Int ?? 0) >= 1, "a state waits for the target to come back")
            }
            let tree = try #require(streams["/tree"]?["publish"] as? [String: Any], "\(text)")
            #expect(tree["target"] as? String == "http://127.0.0.1:\(up)/pub/{stream}")
            #expect(tree["last_success"] is String)
            #expect(tree["failing_since"] is NSNull)
            #expect(tree["queued"] as? Int == 0)
            #expect(streams["/quiet"] != nil && streams["/quiet"]?["publish"] == nil, "a stream that publishes nowhere has no publish member")
            #expect(!text.contains(Self.password))
            #expect(!server.log.contains(Self.password))
            #expect(await server.stop() == 0)
            try await hubChannel.close()
        }
    }
}

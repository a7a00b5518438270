import Glibc
import MirrorServer
import NIOCore
import Testing

/// Hot reload through the real binary, run as an ordinary user: the config file is edited (or
/// SIGHUP sent) while clients are connected.
@Suite("config reload", .timeLimit(.minutes(1)))
struct ConfigReloadTests {
    static func config(_ streams: [(String, String)]) -> String {
        "listen: 127.0.0.1:0\nheartbeat: 0\nstreams:\n" + streams.map { "  - path: \($0.0)\n    watch: \($0.1)\n" }.joined()
    }

    func start() async throws -> (TemporaryDirectory, ServerProcess) {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write("b.json", #"{"b":1}"#)
        try directory.write("mirror.yaml", Self.config([("/a", "a.json")]))
        do {
            return (directory, try await ServerProcess(config: directory.url("mirror.yaml"), in: directory))
        } catch {
            directory.remove()
            throw error
        }
    }

    /// The status line of `GET path`, once the server answers.
    static func status(_ server: ServerProcess, _ path: String) async throws -> String {
        let client = try await TestClient.connect(
            port: server.port, group: MultiThreadedEventLoopGroupHolder.shared,
            request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"
        )
        defer { Task { await client.close() } }
        try await client.waitForText { $0.contains("\r\n") }
        let text = client.text
        return String(text[..<text.range(of: "\r\n")!.lowerBound])
    }

    @Test func anEditedConfigIsAppliedWithinASecondAndKeepsTheClientsOfUnchangedStreams() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        let a = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/a")
        try await a.waitFor("/a") { $0.count == 1 }
        #expect(try await Self.status(server, "/b") == "HTTP/1.1 404 Not Found")

        // An editor's atomic save of the config adds /b.
        let saved = ContinuousClock.now
        try directory.write("mirror.yaml.tmp", Self.config([("/a", "a.json"), ("/b", "b.json")]))
        try directory.rename("mirror.yaml.tmp", "mirror.yaml")
        var status = ""
        while status != "HTTP/1.1 200 OK", ContinuousClock.now - saved < .seconds(3) {
            status = try await Self.status(server, "/b")
            if status != "HTTP/1.1 200 OK" { try await Task.sleep(for: .milliseconds(20)) }
        }
        let applied = ContinuousClock.now - saved
        #expect(status == "HTTP/1.1 200 OK")
        #expect(applied < .seconds(1), "applied after \(applied)")
        try await server.waitForLog("config reloaded")

        // /a's client was not dropped, was sent nothing by the reload, and follows on.
        #expect(!a.isClosed && a.events.count == 1)
        try directory.write("a.json", #"{"a":2}"#)
        let events = try await a.waitFor("the next change") { $0.count == 2 }
        #expect(events[1].data == #"{"a":2}"#)
        #expect(await server.stop() == 0)
    }

    @Test func anInvalidConfigIsLoggedWithItsLineAndColumnAndTheRunningOneStays() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\nstreams:\n  - path: /a\n    watch: a.json\n    emit: sometimes\n")
        try await server.waitForLog("the config was not reloaded; the running one stays in force")
        #expect(server.log.contains("mirror.yaml:5:11"), "\(server.log)")
        #expect(try await Self.status(server, "/a") == "HTTP/1.1 200 OK")
        #expect(server.isRunning)
        #expect(await server.stop() == 0)
    }

    @Test func sighupReadsTheConfigAgain() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        server.signal(SIGHUP)
        try await server.waitForLog("SIGHUP received; reloading the config")
        try await server.waitForLog("config reloaded")
        #expect(try await Self.status(server, "/a") == "HTTP/1.1 200 OK")
        #expect(await server.stop() == 0)
    }

    /// Editing the token file is a reload: the client whose token went is ended, the new token works.
    @Test func anEditedTokenFileEndsTheClientsOfARemovedToken() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write("tokens", "token-a\ntoken-b\n")
        try directory.write("mirror.yaml", "auth: {tokens_file: tokens}\n" + Self.config([("/a", "a.json")]))
        let server = try await ServerProcess(config: directory.url("mirror.yaml"), in: directory)
        let group = MultiThreadedEventLoopGroupHolder.shared
        let a = try await TestClient.subscribe(port: server.port, group: group, path: "/a?access_token=token-a")
        let b = try await TestClient.subscribe(port: server.port, group: group, path: "/a?access_token=token-b")
        for client in [a, b] { try await client.waitFor("/a") { $0.count == 1 } }

        try directory.write("tokens", "token-b\ntoken-c\n")
        try await a.waitUntilClosed(timeout: .seconds(3))
        #expect(!b.isClosed)
        #expect(try await Self.status(server, "/a?access_token=token-c") == "HTTP/1.1 200 OK")
        #expect(try await Self.status(server, "/a?access_token=token-a") == "HTTP/1.1 401 Unauthorized")
        #expect(!server.log.contains("token-a") && !server.log.contains("token-c"))
        #expect(await server.stop() == 0)
    }
}

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

    func start(arguments: [String] = []) async throws -> (TemporaryDirectory, ServerProcess) {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write("b.json", #"{"b":1}"#)
        try directory.write("mirror.yaml", Self.config([("/a", "a.json")]))
        do {
            return (directory, try await ServerProcess(config: directory.url("mirror.yaml"), in: directory, arguments: arguments))
        } catch {
            directory.remove()
            throw error
        }
    }

    /// The status line of `GET path`, once the server answers.
    static func status(_ server: ServerProcess, _ path: String) async throws -> String {
        let head = try await TestClient.head(
            of: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n",
            port: server.port, group: MultiThreadedEventLoopGroupHolder.shared
        )
        return String(head[..<(head.range(of: "\r\n")?.lowerBound ?? head.endIndex)])
    }

    /// Now, in seconds since midnight UTC, as the server's JSON log stamps its lines.
    static func secondOfDay() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec % 86400) + Double(now.tv_nsec) / 1e9
    }

    /// The second of the day (UTC) of the first JSON log line whose message is `message`.
    static func loggedAt(_ message: String, in log: String) -> Double? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("\"message\":\"\(message)\"") }),
            let time = line.firstMatch(of: /"timestamp":"[0-9-]+T(\d\d):(\d\d):(\d\d\.\d+)Z"/),
            let hours = Double(time.1), let minutes = Double(time.2), let seconds = Double(time.3)
        else { return nil }
        return hours * 3600 + minutes * 60 + seconds
    }

    @Test func anEditedConfigIsAppliedWithinASecondAndKeepsTheClientsOfUnchangedStreams() async throws {
        let (directory, server) = try await start(arguments: ["--log-format", "json"])
        defer { directory.remove() }
        try await withServer(server) { server in
            let a = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/a")
            try await a.waitFor("/a") { $0.count == 1 }
            #expect(try await Self.status(server, "/b") == "HTTP/1.1 404 Not Found")

            // An editor's atomic save of the config adds /b.
            try directory.write("mirror.yaml.tmp", Self.config([("/a", "a.json"), ("/b", "b.json")]))
            let saved = Self.secondOfDay()
            try directory.rename("mirror.yaml.tmp", "mirror.yaml")
            // /b answers once the reload is in force (20 s only guard a reload that never comes).
            let answered = try await poll(timeout: .seconds(20), every: .milliseconds(20)) { try await Self.status(server, "/b") == "HTTP/1.1 200 OK" }
            #expect(answered)
            try await server.waitForLog("config reloaded")
            // Within a second by the server's own clock: its log line's stamp against the save's. (The
            // time this test takes to see /b answer also counts how long a loaded machine keeps this
            // task and its requests waiting, which is not the server's doing.)
            let reloaded = try #require(Self.loggedAt("config reloaded", in: server.log), "\(server.log)")
            let applied = (reloaded - saved + 86400).truncatingRemainder(dividingBy: 86400)
            #expect(applied < 1, "applied \(applied) s after the save")

            // /a's client was not dropped, was sent nothing by the reload, and follows on.
            #expect(!a.isClosed && a.events.count == 1)
            try directory.write("a.json", #"{"a":2}"#)
            let events = try await a.waitFor("the next change") { $0.count == 2 }
            #expect(events[1].data == #"{"a":2}"#)
            #expect(await server.stop() == 0)
        }
    }

    @Test func anInvalidConfigIsLoggedWithItsLineAndColumnAndTheRunningOneStays() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            try directory.write("mirror.yaml", "listen: 127.0.0.1:0\nstreams:\n  - path: /a\n    watch: a.json\n    emit: sometimes\n")
            try await server.waitForLog("the config was not reloaded; the running one stays in force")
            #expect(server.log.contains("mirror.yaml:5:11"), "\(server.log)")
            #expect(try await Self.status(server, "/a") == "HTTP/1.1 200 OK")
            #expect(server.isRunning)
            #expect(await server.stop() == 0)
        }
    }

    @Test func sighupReadsTheConfigAgain() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            server.signal(SIGHUP)
            try await server.waitForLog("SIGHUP received; reloading the config")
            try await server.waitForLog("config reloaded")
            #expect(try await Self.status(server, "/a") == "HTTP/1.1 200 OK")
            #expect(await server.stop() == 0)
        }
    }

    /// Editing the token file is a reload: the client whose token went is ended, the new token works.
    @Test func anEditedTokenFileEndsTheClientsOfARemovedToken() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write("tokens", "token-a\ntoken-b\n")
        try directory.write("mirror.yaml", "auth: {tokens_file: tokens}\n" + Self.config([("/a", "a.json")]))
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
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
}

import Glibc
import Testing

/// `withServer { }` has stopped its server when it returns, also when the body threw: the port
/// answers no more, a fixture's folder is gone, a process is reaped (not even a zombie is left).
@Suite("withServer teardown", .timeLimit(.minutes(1)))
struct WithServerTests {
    struct Thrown: Error {}

    /// Whether something still accepts a connection on 127.0.0.1:`port`.
    static func accepts(port: Int) async -> Bool {
        guard let socket = try? await RawSocket.connect(port: port, request: "", receiveBuffer: 4096) else { return false }
        socket.close()
        return true
    }

    @Test func aFixtureIsStoppedAndItsFolderRemovedWhenTheBodyThrows() async throws {
        var seen: (port: Int, folder: String)?
        do {
            try await withServer(MirrorFixture.start(files: ["app.json": "{}"])) { fixture in
                #expect(await Self.accepts(port: fixture.port))
                seen = (fixture.port, fixture.directory.path)
                throw Thrown()
            }
            Issue.record("the body's error was not rethrown")
        } catch is Thrown {}
        let (port, folder) = try #require(seen)
        #expect(access(folder, F_OK) != 0, "\(folder) is still there")
        #expect(!(await Self.accepts(port: port)))
    }

    @Test func aProcessIsReapedWhenTheBodyThrows() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", "{}")
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\nstreams:\n  - path: /a\n    watch: app.json\n")
        var seen: (pid: Int32, port: Int)?
        do {
            try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
                seen = (server.pid, server.port)
                throw Thrown()
            }
            Issue.record("the body's error was not rethrown")
        } catch is Thrown {}
        let (pid, port) = try #require(seen)
        // A zombie would still answer kill(pid, 0); a reaped process is gone.
        #expect(kill(pid, 0) != 0 && errno == ESRCH, "process \(pid) is still there")
        #expect(!(await Self.accepts(port: port)))
    }

    /// What the body returns comes back, after the teardown.
    @Test func theBodysValueIsReturned() async throws {
        let port = try await withServer(MirrorFixture.start(files: ["app.json": "{}"])) { $0.port }
        #expect(!(await Self.accepts(port: port)))
    }
}

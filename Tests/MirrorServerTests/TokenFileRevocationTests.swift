import Glibc
import Testing

/// A tokens file that is deleted, made unreadable or emptied while the server runs revokes its
/// tokens (issue 17): the streams held with one end as on a revocation, new requests get 401, the
/// log says why at error level, and the tokens are valid again once the file is back. An editor's
/// save (an atomic rename over it, or vim's rename away and write again) is no revocation. Through
/// the real binary, run as `nobody` (``ServerProcess``), so a file root makes 0600 is unreadable to it.
@Suite("tokens file gone or unreadable", .timeLimit(.minutes(1)))
struct TokenFileRevocationTests {
    /// `/a` takes the global tokens (`tokens`), `/b` its own (`other`), so one file's loss leaves the other's.
    static let config = """
        listen: 127.0.0.1:0
        heartbeat: 0
        auth: {tokens_file: tokens}
        streams:
          - path: /a
            watch: a.json
          - path: /b
            watch: b.json
            auth: {tokens_file: other}

        """

    static let revokedLog = "no token from this tokens file is valid now"

    func start() async throws -> (TemporaryDirectory, ServerProcess) {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write("b.json", #"{"b":1}"#)
        try directory.write("tokens", "token-a\n")
        try directory.write("other", "token-b\n")
        try directory.write("mirror.yaml", Self.config)
        do {
            return (directory, try await ServerProcess(config: directory.url("mirror.yaml"), in: directory))
        } catch {
            directory.remove()
            throw error
        }
    }

    func subscribe(_ server: ServerProcess, _ path: String) async throws -> TestClient {
        let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: path)
        try await client.waitFor(path) { $0.count == 1 }
        return client
    }

    /// `token` opens `/a`, once a reload has taken the file's new state.
    func expectOpens(_ server: ServerProcess, _ token: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let opened = try await poll(timeout: .seconds(3)) {
            try await ConfigReloadTests.status(server, "/a?access_token=\(token)") == "HTTP/1.1 200 OK"
        }
        #expect(opened, "\(token) never opened /a", sourceLocation: sourceLocation)
    }

    /// `client` (held with token-a) was ended as on a revocation, token-a gets 401, and every line
    /// of the log that names the revoked file is at error level and says why.
    func expectRevoked(
        _ client: TestClient, by server: ServerProcess, reason: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await client.waitUntilClosed(timeout: .seconds(3))
        #expect(client.text.hasSuffix("0\r\n\r\n"), "ended cleanly, as on a revocation", sourceLocation: sourceLocation)
        let status = try await ConfigReloadTests.status(server, "/a?access_token=token-a")
        #expect(status == "HTTP/1.1 401 Unauthorized", sourceLocation: sourceLocation)
        try await server.waitForLog(Self.revokedLog, sourceLocation: sourceLocation)
        let lines = server.log.split(separator: "\n").filter { $0.contains(Self.revokedLog) }
        #expect(lines.allSatisfy { $0.contains(" error ") && $0.contains("/tokens") && $0.contains(reason) }, "\(lines)", sourceLocation: sourceLocation)
    }

    @Test func aDeletedTokensFileEndsItsStreamsAndRefusesItsTokensUntilItIsBack() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            let a = try await subscribe(server, "/a?access_token=token-a")
            let b = try await subscribe(server, "/b?access_token=token-b")

            try directory.unlink("tokens")
            try await expectRevoked(a, by: server, reason: "no such file")
            // The other file's tokens still open their stream, and its client was left alone.
            #expect(!b.isClosed)
            #expect(try await ConfigReloadTests.status(server, "/b?access_token=token-b") == "HTTP/1.1 200 OK")

            try directory.write("tokens", "token-a\n")
            try await expectOpens(server, "token-a")
            #expect(!b.isClosed)
            #expect(!server.log.contains("token-a") && !server.log.contains("token-b"))
            await b.close()
            #expect(await server.stop() == 0)
        }
    }

    /// Both editors' saves change the file (a token added), so each is a reload; neither ends the stream.
    @Test func anEditorsSaveOfTheTokensFileIsNoRevocation() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            let a = try await subscribe(server, "/a?access_token=token-a")

            // Write a temporary file, rename it over the tokens file.
            try directory.write("tokens.tmp", "token-a\ntoken-c\n")
            try directory.rename("tokens.tmp", "tokens")
            try await expectOpens(server, "token-c")
            // vim's: rename the file away, then write it anew under its name.
            try directory.rename("tokens", "tokens~")
            try directory.write("tokens", "token-a\ntoken-d\n")
            try await expectOpens(server, "token-d")

            #expect(!a.isClosed)
            try directory.write("a.json", #"{"a":2}"#)
            let events = try await a.waitFor("the next change") { $0.count == 2 }
            #expect(events[1].data == #"{"a":2}"#)
            #expect(!server.log.contains(Self.revokedLog), "\(server.log)")
            await a.close()
            #expect(await server.stop() == 0)
        }
    }

    /// Root reads any file, so the server runs as `nobody` and the file, root's, becomes 0600.
    @Test func anUnreadableTokensFileRevokesItsTokensUntilItIsReadable() async throws {
        try #require(getuid() == 0, "needs root, to run the server as another user")
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            let a = try await subscribe(server, "/a?access_token=token-a")
            let b = try await subscribe(server, "/b?access_token=token-b")

            chmod(directory.url("tokens"), 0o600)
            try await expectRevoked(a, by: server, reason: "Permission denied")
            #expect(!b.isClosed)

            chmod(directory.url("tokens"), 0o644)
            try await expectOpens(server, "token-a")
            await b.close()
            #expect(await server.stop() == 0)
        }
    }

    /// Emptying the file is how an operator shuts everyone out: no token, not the old ones.
    @Test func anEmptiedTokensFileRevokesItsTokens() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            let a = try await subscribe(server, "/a?access_token=token-a")
            try directory.write("tokens", "# nobody for now\n")
            try await expectRevoked(a, by: server, reason: "holds no token")
            #expect(await server.stop() == 0)
        }
    }

    /// At start, and in `check`, a tokens file that is not there is an error naming where the
    /// config names it, and the server never binds.
    @Test(arguments: [["check"], []])
    func aMissingTokensFileAtStartIsAConfigError(command: [String]) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write("other", "token-b\n")
        let config = directory.url("mirror.yaml")
        try directory.write("mirror.yaml", Self.config)
        let result = try CommandLineTests().run(command + [config])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(config):3:21: error: tokens_file: cannot read 'tokens': no such file"), "\(result.stderr)")
        #expect(result.stderr.contains(" 3 | auth: {tokens_file: tokens}\n   |                     ^"), "\(result.stderr)")
        #expect(!result.stderr.contains("listening"))
    }
}

import Testing

/// What `check` and the server say of `cors:` (issue 17): `'*'` with streams that need no token
/// lets any page the user opens read them, even on 127.0.0.1, so both warn (the server once per
/// load); an origin with a wildcard inside matches no page, so both refuse it (exit 2).
@Suite("cors in check and at load", .timeLimit(.minutes(1)))
struct CORSCheckTests {
    static let streams = """
        streams:
          - path: /a
            watch: a.json
          - path: /b
            watch: b.json

        """

    static let warning = "cors: origins '*' without 'auth:' lets any web page the user opens read"

    func check(_ config: String, tokens: Bool = false) throws -> (CommandLineTests.Output, path: String) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.json", "{}")
        try directory.write("b.json", "{}")
        if tokens { try directory.write("tokens", "token-a\n") }
        try directory.write("mirror.yaml", config)
        return (try CommandLineTests().run(["check", directory.url("mirror.yaml")]), directory.url("mirror.yaml"))
    }

    @Test func checkWarnsThatAnyOriginWithoutAuthOpensEveryStream() throws {
        let (result, path) = try check("listen: 127.0.0.1:0\ncors: {origins: ['*']}\n" + Self.streams)
        #expect(result.status == 0)
        #expect(result.stdout.contains("ok, 2 streams"))
        #expect(result.stderr.contains("\(path):2:18: warning: \(Self.warning) every stream, even on 127.0.0.1"), "\(result.stderr)")
        #expect(result.stderr.contains(" 2 | cors: {origins: ['*']}\n   |                  ^"), "\(result.stderr)")
    }

    @Test func checkNamesOnlyTheStreamsThatNeedNoToken() throws {
        let config = "cors:\n  origins:\n    - https://dash.example.com\n    - '*'\nstreams:\n  - path: /a\n    watch: a.json\n    auth: {tokens_file: tokens}\n  - path: /b\n    watch: b.json\n"
        let (result, path) = try check(config, tokens: true)
        #expect(result.status == 0)
        #expect(result.stderr.contains("\(path):4:7: warning: \(Self.warning) the streams /b, even"), "\(result.stderr)")
    }

    @Test func checkIsQuietWhenEveryStreamNeedsAToken() throws {
        let (result, _) = try check("auth: {tokens_file: tokens}\ncors: {origins: ['*']}\n" + Self.streams, tokens: true)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let (named, _) = try check("cors: {origins: ['https://dash.example.com']}\n" + Self.streams)
        #expect(named.status == 0 && named.stderr.isEmpty, "\(named.stderr)")
    }

    @Test(arguments: ["https://*.example.com", "http://localhost:*", "*.example.com", "https://example.*"])
    func checkAndTheServerRefuseAWildcardInsideAnOrigin(origin: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.json", "{}")
        try directory.write("b.json", "{}")
        let path = directory.url("mirror.yaml")
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\ncors:\n  origins: [\"\(origin)\"]\n" + Self.streams)
        for command in [["check"], []] {
            let result = try CommandLineTests().run(command + [path])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("\(path):3:13: error: origins: '\(origin)' holds a wildcard, which matches no page"), "\(result.stderr)")
            #expect(result.stderr.contains("   |             ^"), "\(result.stderr)")
            #expect(!result.stderr.contains("listening"))
        }
    }

    /// At start, and again at each reload, never once per request.
    @Test func theServerLogsTheWarningOncePerLoad() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.json", "{}")
        try directory.write("b.json", "{}")
        let config = "listen: 127.0.0.1:0\nheartbeat: 0\ncors: {origins: ['*']}\n"
        try directory.write("mirror.yaml", config + Self.streams)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let lines = { server.log.split(separator: "\n").filter { $0.contains(Self.warning) } }
            #expect(lines().count == 1, "\(server.log)")
            #expect(lines().allSatisfy { $0.contains(" warning ") && $0.contains("mirror.yaml:3:18") }, "\(lines())")
            for _ in 0..<3 { _ = try await ConfigReloadTests.status(server, "/a") }

            try directory.write("mirror.yaml", config + "streams:\n  - path: /a\n    watch: a.json\n")
            try await server.waitForLog("config reloaded")
            #expect(lines().count == 2, "\(server.log)")
            #expect(lines().last?.contains("every stream") == true)
            #expect(await server.stop() == 0)
        }
    }
}

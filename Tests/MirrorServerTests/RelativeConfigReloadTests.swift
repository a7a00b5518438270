import Testing

/// `sse-mirror mirror.yaml`, as `make run` starts it, names the config relative to the working
/// folder; an edit of that file is applied as one of an absolute path is (it was never seen).
@Suite("a config named by a relative path", .timeLimit(.minutes(2)))
struct RelativeConfigReloadTests {
    @Test func anEditedConfigNamedRelativelyIsReloaded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write("b.json", #"{"b":1}"#)
        try directory.write("mirror.yaml", ConfigReloadTests.config([("/a", "a.json")]))
        // The server's working folder is `directory`.
        try await withServer(ServerProcess(config: "mirror.yaml", in: directory)) { server in
            #expect(try await ConfigReloadTests.status(server, "/b") == "HTTP/1.1 404 Not Found")
            try directory.write("mirror.yaml.tmp", ConfigReloadTests.config([("/a", "a.json"), ("/b", "b.json")]))
            try directory.rename("mirror.yaml.tmp", "mirror.yaml")
            try await server.waitForLog("config reloaded", timeout: .seconds(30))
            #expect(try await ConfigReloadTests.status(server, "/b") == "HTTP/1.1 200 OK")
            #expect(await server.stop() == 0)
        }
    }
}

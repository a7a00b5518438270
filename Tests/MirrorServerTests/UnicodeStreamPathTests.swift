import Foundation
import MirrorCore
import Testing

/// Issue 17 for stream paths, through the real binary. A stream path is written in mirror.yaml
/// percent-encoded, as a browser sends it (`StreamPathRule`), so `/caf%C3%A9` (NFC `é`) and
/// `/cafe%CC%81` (NFD `e` + U+0301) are two streams, each watching its own file (whose names are
/// the same two spellings). A `stream=` value of `/events` is decoded once, and Swift's `String ==`
/// equates `/\u{212A}` (KELVIN SIGN, `/%E2%84%AA`) with `/K` by canonical equivalence: the server
/// must compare by Unicode scalars and answer 404 for it, not serve `/K`.
@Suite("Stream paths by Unicode scalars", .timeLimit(.minutes(1)))
struct UnicodeStreamPathTests {
    static let nfcFile = "caf\u{E9}.json"
    static let nfdFile = "cafe\u{301}.json"

    /// A server with the two spellings of `/café` and `/K`, each serving a document naming it.
    func serve() async throws -> (TemporaryDirectory, ServerProcess) {
        let directory = try TemporaryDirectory()
        try directory.write(Self.nfcFile, #"{"v":"nfc"}"#)
        try directory.write(Self.nfdFile, #"{"v":"nfd"}"#)
        try directory.write("k.json", #"{"v":"k"}"#)
        try directory.write("mirror.yaml", """
            listen: 127.0.0.1:0
            heartbeat: 0
            streams:
              - path: /caf%C3%A9
                watch: \(Self.nfcFile)
              - path: /cafe%CC%81
                watch: \(Self.nfdFile)
              - path: /K
                watch: k.json
            """)
        let server = try await ServerProcess(config: directory.url("mirror.yaml"), in: directory)
        return (directory, server)
    }

    /// The answer to one request that closes its connection: whole, or only its head when that is
    /// all a test needs (a stream served by mistake never ends).
    func answer(_ server: ServerProcess, _ target: String, accept: String, whole: Bool = true) async throws -> TestClient {
        let request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: \(accept)\r\nConnection: close\r\n\r\n"
        let client = try await TestClient.connect(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, request: request)
        if whole {
            try await client.waitUntilClosed(timeout: .seconds(20))
        } else {
            try await client.waitForText(timeout: .seconds(20)) { $0.contains("\r\n\r\n") }
        }
        return client
    }

    @Test func eachSpellingServesItsOwnFile() async throws {
        let (directory, server) = try await serve()
        defer { directory.remove() }
        try await withServer(server) { server in
            for (target, body) in [("/caf%C3%A9", #"{"v":"nfc"}"#), ("/cafe%CC%81", #"{"v":"nfd"}"#), ("/K", #"{"v":"k"}"#)] {
                let client = try await answer(server, target, accept: "application/json")
                #expect(client.head?.hasPrefix("HTTP/1.1 200 OK") == true, "\(target): \(client.text)")
                #expect(Array(client.body.utf8) == Array(body.utf8), "\(target): \(client.body)")
            }
            // One connection with both spellings (each value form-encoded once more, as URLSearchParams
            // writes it): each stream's own document.
            let both = try await TestClient.subscribe(
                port: server.port, group: MultiThreadedEventLoopGroupHolder.shared,
                path: "/events?stream=/cafe%25CC%2581&stream=/caf%25C3%25A9"
            )
            let events = try await both.waitFor("both documents", timeout: .seconds(20)) { $0.count >= 2 }
            #expect(Set(events.prefix(2).map { Array($0.data.utf8) }) == [Array(#"{"v":"nfd"}"#.utf8), Array(#"{"v":"nfc"}"#.utf8)])
            await both.close()
            #expect(await server.stop() == 0)
        }
    }

    /// `/%E2%84%AA` is decoded to `/\u{212A}`: no stream has that path, so 404, alone or beside
    /// `/K` (not "named twice"); the decoded NFC spelling of `/café` is not the configured path
    /// either, which keeps its escapes.
    @Test func anEquivalentSpellingIsNoStream() async throws {
        let (directory, server) = try await serve()
        defer { directory.remove() }
        try await withServer(server) { server in
            for target in ["/events?stream=/%E2%84%AA", "/events?stream=/K&stream=/%E2%84%AA", "/events?stream=/caf%C3%A9"] {
                let client = try await answer(server, target, accept: "text/event-stream", whole: false)
                #expect(client.head?.hasPrefix("HTTP/1.1 404 Not Found") == true, "\(target): \(client.text.prefix(300))")
                await client.close()
            }
            #expect(await server.stop() == 0)
        }
    }

    /// A watched name that is a symlink into the folder of the other spelling (`café/doc.json` →
    /// `../café/doc.json`, NFC to NFD): two folders to watch, the link's and the target's. A
    /// `Set<String>` of folders kept one, so a save in the target's folder was seen only by the
    /// reconciliation stat, 10 s later; within 5 s it must be inotify's doing.
    @Test func aSymlinkIntoTheOtherSpellingsFolderIsWatched() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        try directory.mkdir(nfc)
        try directory.mkdir(nfd)
        try directory.write(nfd + "/doc.json", #"{"v":1}"#)
        try directory.write(nfd + "/app.log", "one\n")
        try directory.symlink(nfc + "/doc.json", to: "../" + nfd + "/doc.json")
        try directory.symlink(nfc + "/app.log", to: "../" + nfd + "/app.log")
        try directory.write("mirror.yaml", """
            listen: 127.0.0.1:0
            heartbeat: 0
            streams:
              - path: /doc
                watch: \(nfc)/doc.json
              - path: /log
                watch: \(nfc)/app.log
                format: lines
            """)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let group = MultiThreadedEventLoopGroupHolder.shared
            let doc = try await TestClient.subscribe(port: server.port, group: group, path: "/doc")
            let log = try await TestClient.subscribe(port: server.port, group: group, path: "/log")
            try await doc.waitFor("the first document", timeout: .seconds(20)) { $0.count == 1 }
            try await log.waitFor("the first line", timeout: .seconds(20)) { $0.count == 1 }
            try directory.write(nfd + "/doc.json.tmp", #"{"v":2}"#)
            try directory.rename(nfd + "/doc.json.tmp", nfd + "/doc.json")
            // A rotation: the name is a new file in the target's folder, seen only by that folder's watch.
            try directory.rename(nfd + "/app.log", nfd + "/app.log.1")
            try directory.write(nfd + "/app.log", "two\n")
            let docEvents = try await doc.waitFor("the save", timeout: .seconds(5)) { $0.count == 2 }
            #expect(docEvents.last?.data == #"{"v":2}"#)
            let logEvents = try await log.waitFor("the rotated log's line", timeout: .seconds(5)) { $0.contains { $0.data.contains("two") } }
            #expect(logEvents.last?.data == #"["two"]"#)
            await doc.close()
            await log.close()
            #expect(await server.stop() == 0)
        }
    }

    /// A reload that respells `tokens_file` from NFC to NFD names another file, which the server
    /// must follow from then on; comparing the watched paths with `String ==` kept watching the
    /// old one, so the new file's tokens changed and the server never knew.
    @Test func aTokensFileRespelledIsFollowed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nfc = "tokens-caf\u{E9}", nfd = "tokens-cafe\u{301}"
        try directory.write("a.json", #"{"a":1}"#)
        try directory.write(nfc, "token-nfc\n")
        try directory.write(nfd, "token-nfd\n")
        func config(_ tokens: String) -> String {
            "listen: 127.0.0.1:0\nheartbeat: 0\nauth: {tokens_file: \(tokens)}\nstreams:\n  - path: /a\n    watch: a.json\n"
        }
        func save(_ text: String, as name: String) throws {
            try directory.write(name + ".tmp", text)
            try directory.rename(name + ".tmp", name)
        }
        func opens(_ token: String, on server: ServerProcess) async throws -> Bool {
            try await poll(timeout: .seconds(5)) {
                try await ConfigReloadTests.status(server, "/a?access_token=\(token)") == "HTTP/1.1 200 OK"
            }
        }
        try directory.write("mirror.yaml", config(nfc))
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            #expect(try await opens("token-nfc", on: server))
            try save(config(nfd), as: "mirror.yaml")
            #expect(try await opens("token-nfd", on: server), "the reload took the other spelling's file")
            try save("token-new\n", as: nfd)
            #expect(try await opens("token-new", on: server), "the file named now is followed")
            #expect(try await ConfigReloadTests.status(server, "/a?access_token=token-nfc") == "HTTP/1.1 401 Unauthorized")
            #expect(await server.stop() == 0)
        }
    }
}

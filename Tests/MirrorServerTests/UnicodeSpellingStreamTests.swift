import Foundation
import MirrorCore
import Testing
import MirrorDocument

/// Issue 17 through the real binary: a document rewritten from NFC `é` (U+00E9) to NFD `e` +
/// U+0301 is a new version, published; a patch between the spellings says so and applies; an
/// object with one key in each spelling is a valid document. Data is compared as UTF-8 bytes,
/// since Swift's `String ==` would itself equate the spellings.
@Suite("Unicode spellings through the server", .timeLimit(.minutes(1)))
struct UnicodeSpellingStreamTests {
    static let nfc = "\u{E9}"
    static let nfd = "e\u{301}"

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Saves `text` as `name` the way editors do (a temporary file renamed over it).
    func save(_ text: String, as name: String, in directory: TemporaryDirectory) throws {
        try directory.write(name + ".tmp", text)
        try directory.rename(name + ".tmp", name)
    }

    func serve(_ emit: String, _ first: String) async throws -> (TemporaryDirectory, ServerProcess, TestClient) {
        let directory = try TemporaryDirectory()
        try directory.write("doc.json", first)
        try directory.write("mirror.yaml", """
            listen: 127.0.0.1:0
            heartbeat: 0
            streams:
              - path: /doc
                watch: doc.json
                emit: \(emit)
            """)
        let server = try await ServerProcess(config: directory.url("mirror.yaml"), in: directory)
        do {
            let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/doc")
            try await client.waitFor("the first document", timeout: .seconds(20)) { $0.count == 1 }
            return (directory, server, client)
        } catch {
            // The caller's withServer never got the server: stop it here.
            await server.tearDown()
            directory.remove()
            throw error
        }
    }

    @Test func aSnapshotStreamPublishesTheOtherSpelling() async throws {
        let (directory, server, client) = try await serve("snapshot", #"{"k":"\#(Self.nfc)"}"#)
        defer { directory.remove() }
        try await withServer(server) { server in
            #expect(client.events.first.map { bytes($0.data) } == bytes(#"{"k":"\#(Self.nfc)"}"#))
            for (version, text) in [#"{"k":"\#(Self.nfd)"}"#, #"{"\#(Self.nfc)":1,"\#(Self.nfd)":2}"#].enumerated() {
                try save(text, as: "doc.json", in: directory)
                let events = try await client.waitFor("version \(version + 2)", timeout: .seconds(20)) { $0.count == version + 2 }
                #expect(events.last?.name == "changed")
                #expect(events.last.map { bytes($0.data) } == bytes(text))
            }
            await client.close()
            #expect(await server.stop() == 0)
        }
    }

    @Test func aPatchStreamSendsAPatchThatApplies() async throws {
        // Filler makes the patch smaller than the document, so it goes as a `patch` (patch_ratio 1).
        let filler = String(repeating: "x", count: 200)
        let old = #"{"filler":"\#(filler)","k":"\#(Self.nfc)","\#(Self.nfc)":1}"#
        let new = #"{"filler":"\#(filler)","k":"\#(Self.nfd)","\#(Self.nfd)":1}"#
        let (directory, server, client) = try await serve("patch", old)
        defer { directory.remove() }
        try await withServer(server) { server in
            try save(new, as: "doc.json", in: directory)
            let events = try await client.waitFor("the patch", timeout: .seconds(20)) { $0.count == 2 }
            let patch = try #require(events.last)
            #expect(patch.name == "patch")
            let operations = try JSONParser.parse(bytes(patch.data))
            #expect(operations != [])
            let applied = try JSONPatch.apply(patch: operations, to: try JSONParser.parse(bytes(old)))
            #expect(JSONSerializer.serialize(applied) == bytes(new))
            await client.close()
            #expect(await server.stop() == 0)
        }
    }

    @Test func diffAndApplyCommands() async throws {
        let cli = CommandLineTests()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let old = #"{"k":"\#(Self.nfc)","\#(Self.nfc)":1}"#
        let new = #"{"k":"\#(Self.nfd)","\#(Self.nfd)":1}"#
        try directory.write("old.json", old)
        try directory.write("new.json", new)
        let diff = try await cli.launch(["diff", directory.url("old.json"), directory.url("new.json")])
        #expect(diff.status == 0)
        let expected = #"[{"op":"remove","path":"/\#(Self.nfc)"},{"op":"replace","path":"/k","value":"\#(Self.nfd)"},{"op":"add","path":"/\#(Self.nfd)","value":1}]"#
        #expect(bytes(diff.stdout) == bytes(expected + "\n"), "\(diff.stdout) \(diff.stderr)")
        try directory.write("patch.json", diff.stdout)
        let applied = try await cli.launch(["apply", directory.url("old.json"), directory.url("patch.json")])
        #expect(applied.status == 0)
        #expect(bytes(applied.stdout) == bytes(new + "\n"), "\(applied.stdout) \(applied.stderr)")
        let merge = try await cli.launch(["diff", "--merge", directory.url("old.json"), directory.url("new.json")])
        #expect(bytes(merge.stdout) == bytes(#"{"\#(Self.nfc)":null,"k":"\#(Self.nfd)","\#(Self.nfd)":1}"# + "\n"))
        // One key in each spelling is a valid document, not a duplicate.
        try directory.write("both.json", #"{"\#(Self.nfc)":1,"\#(Self.nfd)":2}"#)
        let both = try await cli.launch(["diff", directory.url("old.json"), directory.url("both.json")])
        #expect(both.status == 0, "\(both.stderr)")
    }
}

import Foundation
import Glibc
import Testing

/// What a client sees of a file that holds no valid document when the server starts: the state
/// "no document" (`removed`, with an id) and then why (`invalid`), as PROTOCOL.md promises a state
/// event before any `invalid`.
@Suite("state at startup", .timeLimit(.minutes(1)))
struct StartupStateTests {
    static let valid = #"{"ok": true}"#

    /// Starts a server whose `app.json` is made by `prepare`, and checks that a client (and a late
    /// one) gets `removed` then `invalid`, in one snapshot; then makes the path a valid file.
    func expectNoDocument(
        prepare: (TemporaryDirectory) throws -> Void,
        message: String,
        fix: (TemporaryDirectory) throws -> Void
    ) async throws {
        return try await withServer(MirrorFixture.start(prepare: prepare)) { fixture in
            let client = try await fixture.subscribe()
            let events = try await client.waitFor("removed and invalid") { $0.count >= 2 }
            #expect(events.map(\.name) == ["removed", "invalid"])
            #expect(events[0].id != nil && events[0].data == #"{"path":"app.json"}"#)
            #expect(events[1].id == nil && events[1].data.contains(message), "\(events[1].data)")
            // Both are the snapshot: a late client gets them in one piece, in order.
            let late = try await fixture.subscribe()
            try await late.waitFor("the snapshot") { $0.count >= 2 }
            #expect(late.events == Array(events.prefix(2)))
            try fix(fixture.directory)
            let fixed = try await client.waitFor("changed") { $0.last?.name == "changed" }
            #expect(fixed.last?.data == #"{"ok":true}"#)
            #expect(fixed.count == 3)
            await client.close()
            await late.close()
        }
    }

    @Test func invalidAtStart() async throws {
        try await expectNoDocument(
            prepare: { try $0.write("app.json", "{\"a\": }") },
            message: #""line":1,"column":7"#,
            fix: { try $0.write("app.json", Self.valid) }
        )
    }

    /// Root reads through chmod 000, so the unreadable file is a directory at the path.
    @Test func directoryAtStart() async throws {
        try await expectNoDocument(
            prepare: { try $0.mkdir("app.json") },
            message: "not a regular file",
            fix: { directory in
                try directory.write("app.json.tmp", Self.valid)
                try directory.removeTree("app.json")
                try directory.rename("app.json.tmp", "app.json")
            }
        )
    }

    /// A FIFO at the path must neither block the watcher nor be read.
    @Test func fifoAtStart() async throws {
        try await expectNoDocument(
            prepare: { directory in #expect(mkfifo(directory.url("app.json"), 0o644) == 0) },
            message: "not a regular file",
            fix: { directory in
                try directory.write("app.json.tmp", Self.valid)
                try directory.rename("app.json.tmp", "app.json")
            }
        )
    }
}

import Foundation
import MirrorCore
import Testing
import MirrorDocument

/// Patches and resume through a real server and real sockets: a client that follows a stream, or
/// reconnects with `Last-Event-ID`, ends with exactly the document in the file.
@Suite("patches and resume", .timeLimit(.minutes(1)))
struct ResumeTests {
    static func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    /// What a client following the stream holds after these events: `changed` sets the document,
    /// `patch` and `merge-patch` apply to it (a failed apply fails the test).
    static func follow(_ events: [ReceivedEvent], from start: JSONValue? = nil) throws -> JSONValue? {
        var document = start
        for event in events {
            switch event.name {
            case "changed": document = try parse(event.data)
            case "patch":
                let base = try #require(document, "a patch came before any document")
                document = try JSONPatch.apply(patch: try parse(event.data), to: base)
            case "merge-patch":
                let base = try #require(document, "a merge patch came before any document")
                document = JSONMergePatch.apply(try parse(event.data), to: base)
            case "removed": document = nil
            default: break
            }
        }
        return document
    }

    static func record(_ n: Int) -> String {
        #"{"id":\#(n),"name":"record \#(n)","tags":["a","b"],"value":\#(n * 10)}"#
    }

    static func document(version: Int, edited: Set<Int> = []) -> String {
        let records = (0..<50).map { n in edited.contains(n) ? #"{"id":\#(n),"name":"edited \#(version)","tags":["a"],"value":1.50}"# : record(n) }
        return #"{"version":\#(version),"records":[\#(records.joined(separator: ","))]}"#
    }

    /// Writes a version and waits until the hub has published it (through the JSON GET's ETag).
    static func save(_ fixture: MirrorFixture, _ text: String, until version: UInt64) async throws {
        try fixture.directory.write("app.json.tmp", text)
        try fixture.directory.rename("app.json.tmp", "app.json")
        try await eventually { fixture.hub().current().state?.id?.version == version }
    }

    @Test(arguments: [EmitMode.patch, .mergePatch])
    func aFollowingClientGetsPatchesAndEndsWithTheFile(emit: EmitMode) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document(version: 1)], emit: emit)) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the first document") { $0.count == 1 }
            var final = ""
            for version in 2...5 {
                final = Self.document(version: version, edited: [version, version * 7])
                try await Self.save(fixture, final, until: UInt64(version))
            }
            let events = try await client.waitFor("four changes") { $0.count == 5 }
            let name = emit == .patch ? "patch" : "merge-patch"
            #expect(events.map(\.name) == ["changed", name, name, name, name])
            #expect(try Self.follow(events) == Self.parse(final))
            // Each patch is small: a few records changed in a document of fifty. (A merge patch
            // replaces an array whole, RFC 7396 §2, so it carries the records.)
            if emit == .patch {
                for event in events.dropFirst() { #expect(event.data.utf8.count < events[0].data.utf8.count / 4) }
            }
        }
    }

    @Test func aReconnectGetsExactlyTheMissedPatches() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document(version: 1)], emit: .patch)) { fixture in
            let first = try await fixture.subscribe()
            let start = try await first.waitFor("the first document") { $0.count == 1 }
            await first.close()
            var final = ""
            for version in 2...4 {
                final = Self.document(version: version, edited: [version])
                try await Self.save(fixture, final, until: UInt64(version))
            }
            let again = try await fixture.subscribe(lastEventID: start[0].id)
            let events = try await again.waitFor("the missed changes") { $0.count == 3 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(again.events.map(\.name) == ["patch", "patch", "patch"])
            #expect(try Self.follow(again.events, from: Self.parse(start[0].data)) == Self.parse(final))
            // The same id in the query, for clients that cannot set headers.
            let query = try await fixture.subscribe("/config?lastEventId=\(start[0].id!)")
            _ = try await query.waitFor("the missed changes") { $0.count == 3 }
            #expect(query.events.map(\.id) == events.map(\.id))
            // Already at the newest version: nothing until the next change.
            let current = try await fixture.subscribe(lastEventID: events.last!.id)
            try await Task.sleep(for: .milliseconds(300))
            #expect(current.events.isEmpty)
            try await Self.save(fixture, Self.document(version: 5), until: 5)
            let next = try await current.waitFor("the next change") { $0.count == 1 }
            #expect(next[0].name == "patch")
            #expect(try Self.follow(next, from: Self.parse(final)) == Self.parse(Self.document(version: 5)))
        }
    }

    @Test func anEvictedOrForeignIdGetsOneSnapshot() async throws {
        try await withServer(MirrorFixture.start(
            files: ["app.json": Self.document(version: 1)],
            emit: .patch,
            history: HistoryLimits(events: 2, bytes: 1 << 20)
        )) { fixture in
            let first = try await fixture.subscribe()
            let start = try await first.waitFor("the first document") { $0.count == 1 }
            for version in 2...5 { try await Self.save(fixture, Self.document(version: version, edited: [version]), until: UInt64(version)) }
            let final = try Self.parse(Self.document(version: 5, edited: [5]))
            let run = String(start[0].id!.split(separator: "-")[0])
            for lastEventID in [start[0].id!, "\(run)-2", "0abc-4", "\(run)-99", "nonsense"] {
                let client = try await fixture.subscribe(lastEventID: lastEventID)
                let events = try await client.waitFor("a snapshot") { !$0.isEmpty }
                try await Task.sleep(for: .milliseconds(100))
                #expect(client.events.map(\.name) == ["changed"], "Last-Event-ID \(lastEventID)")
                #expect(try Self.follow(events) == final)
            }
            // Still held: versions 4 and 5.
            let held = try await fixture.subscribe(lastEventID: "\(run)-3")
            let events = try await held.waitFor("two patches") { $0.count == 2 }
            #expect(events.map(\.id) == ["\(run)-4", "\(run)-5"])
        }
    }

    /// An id kept from before a restart names a version of another run: the client gets the whole
    /// document of this run, never a patch against a base it may not have.
    @Test func anIdFromAPreviousRunGetsOneSnapshot() async throws {
        let before = try await MirrorFixture.start(files: ["app.json": Self.document(version: 1)], emit: .patch)
        let client = try await before.subscribe()
        let old = try await client.waitFor("the first document") { $0.count == 1 }
        await before.stop()
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document(version: 2, edited: [1])], emit: .patch)) { after in
            try await Self.save(after, Self.document(version: 3, edited: [3]), until: 2)
            let resumed = try await after.subscribe(lastEventID: old[0].id)
            let events = try await resumed.waitFor("a snapshot") { !$0.isEmpty }
            try await Task.sleep(for: .milliseconds(150))
            #expect(resumed.events.map(\.name) == ["changed"])
            #expect(try Self.follow(events) == Self.parse(Self.document(version: 3, edited: [3])))
        }
    }

    /// After `removed` or `invalid`, the next document goes whole, and a reconnect across them ends right.
    @Test func removedAndInvalidAreFollowedByAWholeDocument() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document(version: 1)], emit: .patch)) { fixture in
            let client = try await fixture.subscribe()
            let start = try await client.waitFor("the first document") { $0.count == 1 }
            try fixture.directory.write("app.json", "{ not json")
            _ = try await client.waitFor("invalid") { $0.last?.name == "invalid" }
            try await Self.save(fixture, Self.document(version: 2), until: 2)
            try fixture.directory.unlink("app.json")
            _ = try await client.waitFor("removed") { $0.last?.name == "removed" }
            try await Self.save(fixture, Self.document(version: 4), until: 4)
            try await Self.save(fixture, Self.document(version: 5, edited: [2]), until: 5)
            let events = try await client.waitFor("all") { $0.count == 6 }
            #expect(events.map(\.name) == ["changed", "invalid", "changed", "removed", "changed", "patch"])
            #expect(try Self.follow(events) == Self.parse(Self.document(version: 5, edited: [2])))
            let resumed = try await fixture.subscribe(lastEventID: start[0].id)
            let replay = try await resumed.waitFor("the replay") { $0.count == 2 }
            #expect(replay.map(\.name) == ["changed", "patch"])
            #expect(try Self.follow(replay) == Self.parse(Self.document(version: 5, edited: [2])))
        }
    }

    /// A patch larger than the document goes as the document; reordered keys are no change at all.
    @Test func wholeDocumentsWhenAPatchWouldNotPay() async throws {
        let pad = String(repeating: "p", count: 200)
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"a": [1, 2, 3], "b": "x"}"#], emit: .patch)) { fixture in
            let client = try await fixture.subscribe()
            _ = try await client.waitFor("the first document") { $0.count == 1 }
            // Every member replaced: the patch would be larger than the document.
            try await Self.save(fixture, #"{"c": {"d": "ef"}, "pad": "\#(pad)"}"#, until: 2)
            try await Self.save(fixture, #"{"c": {"d": "eg"}, "pad": "\#(pad)", "z": 1}"#, until: 3)
            // Only the order of the keys changes: no new version.
            try fixture.directory.write("app.json.tmp", #"{"z": 1, "pad": "\#(pad)", "c": {"d": "eg"}}"#)
            try fixture.directory.rename("app.json.tmp", "app.json")
            try await Self.save(fixture, #"{"z": 2, "pad": "\#(pad)", "c": {"d": "eg"}}"#, until: 4)
            let events = try await client.waitFor("three changes") { $0.count == 4 }
            #expect(events.map(\.name) == ["changed", "changed", "patch", "patch"])
            #expect(events[3].data == #"[{"op":"replace","path":"/z","value":2}]"#)
            #expect(try Self.follow(events) == Self.parse(#"{"z": 2, "pad": "\#(pad)", "c": {"d": "eg"}}"#))
        }
    }

    /// A text document always parses, so "does not parse yet" cannot mean "still being written":
    /// a write paused halfway with the file open is not published; the close is.
    @Test func aTextDocumentWaitsForTheWriterToClose() async throws {
        try await withServer(MirrorFixture.start(files: ["notes.txt": "first\n"], streams: ["/notes": "notes.txt"], format: .text)) { fixture in
            let client = try await fixture.subscribe("/notes")
            _ = try await client.waitFor("the first document") { $0.count == 1 }
            try fixture.directory.writeInPlace("notes.txt", ["line one\n", "line two\n"], pause: .milliseconds(600))
            let events = try await client.waitFor("the whole text") { $0.last?.data == #""line one\nline two\n""# }
            try await Task.sleep(for: .milliseconds(200))
            #expect(client.events.map(\.data) == [#""first\n""#, #""line one\nline two\n""#])
            #expect(events.count == 2)
        }
    }

    @Test func theJSONGetAnswersTheDocumentWithAnETag() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"b": 1, "a": [1.50, "x"]}"#])) { fixture in
            let get = "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
            let first = try await fixture.request(get + "\r\n")
            try await first.waitForText { $0.contains(#"{"b":1,"a":[1.50,"x"]}"#) }
            let head = try #require(first.head)
            #expect(head.hasPrefix("HTTP/1.1 200 OK"))
            #expect(head.contains("Content-Type: application/json"))
            let tag = try #require(head.split(separator: "\r\n").first { $0.hasPrefix("ETag: ") }?.dropFirst(6))
            #expect(tag == "\"\(fixture.hub().current().state!.id!)\"")
            let unchanged = try await fixture.request(get + "If-None-Match: \(tag)\r\n\r\n")
            try await unchanged.waitForText { $0.hasSuffix("\r\n\r\n") }
            #expect(unchanged.head?.hasPrefix("HTTP/1.1 304 Not Modified") == true)
            #expect(unchanged.body.isEmpty)
            try fixture.directory.write("app.json", #"{"b": 2}"#)
            try await eventually { fixture.hub().current().state?.id?.version == 2 }
            let changed = try await fixture.request(get + "If-None-Match: \(tag)\r\n\r\n")
            try await changed.waitForText { $0.hasSuffix(#"{"b":2}"#) }
            try fixture.directory.unlink("app.json")
            try await eventually { fixture.hub().current().state?.name == "removed" }
            let gone = try await fixture.request(get + "\r\n")
            try await gone.waitForText { $0.hasSuffix("}\n") }
            #expect(gone.head?.hasPrefix("HTTP/1.1 404 Not Found") == true)
            #expect(try JSONParser.parse(Array(gone.body.utf8)) == ["error": "the watched file is absent", "removed": ["path": "app.json"]])
        }
    }
}

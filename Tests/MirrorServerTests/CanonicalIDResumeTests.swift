import MirrorCore
import Testing

/// `Last-Event-ID` resumes only from an id exactly as the server sent it: `<run>-0002` names no
/// version this server ever sent, so it gets the current state, as on a first connect (PROTOCOL.md,
/// "Resuming"), never the events after version 2.
@Suite("resume from canonical ids only", .timeLimit(.minutes(1)))
struct CanonicalIDResumeTests {
    /// Runs `body` with a server whose patch streams are at version 3, and the run of their ids;
    /// the server is stopped when `body` is done.
    static func withPatchStreamAtVersion3<T>(
        streams: [String: String] = ["/config": "app.json"], _ body: (MirrorFixture, String) async throws -> T
    ) async throws -> T {
        var files: [String: String] = [:]
        for name in streams.values { files[name] = ResumeTests.document(version: 1) }
        return try await withServer(MirrorFixture.start(files: files, streams: streams, emit: .patch)) { fixture in
            for (path, name) in streams {
                for version in 2...3 {
                    try fixture.directory.write(name + ".tmp", ResumeTests.document(version: version, edited: [version]))
                    try fixture.directory.rename(name + ".tmp", name)
                    try await eventually { fixture.hub(path).current().state?.id?.version == UInt64(version) }
                }
            }
            let run = try #require(fixture.hub(streams.keys.first!).current().state?.id?.run)
            return try await body(fixture, run)
        }
    }

    @Test func aLeadingZeroGetsTheCurrentState() async throws {
        try await Self.withPatchStreamAtVersion3 { fixture, run in
            // The canonical id resumes: exactly the patch after version 2.
            let canonical = try await fixture.subscribe(lastEventID: "\(run)-2")
            let resumed = try await canonical.waitFor("the missed patch") { !$0.isEmpty }
            #expect(resumed.map(\.name) == ["patch"])
            for spelling in ["\(run)-0002", "\(run)-+2", "\(run)-02"] {
                let client = try await fixture.subscribe(lastEventID: spelling)
                let events = try await client.waitFor("the current state") { !$0.isEmpty }
                #expect(events.first?.name == "changed", "\(spelling): \(events)")
                #expect(events.first?.id == "\(run)-3", "\(spelling)")
                #expect(try ResumeTests.follow(events) == ResumeTests.parse(ResumeTests.document(version: 3, edited: [3])))
                await client.close()
            }
            await canonical.close()
        }
    }

    @Test func aMultiplexedPartWithALeadingZeroGetsThatStreamsCurrentState() async throws {
        try await Self.withPatchStreamAtVersion3(streams: MultiplexTests.streams) { fixture, run in
            let tag = CompositeEventID(paths: ["/a", "/b"]).tag
            // /a resumes from version 2 as written; /b's part `02` is no version the server wrote.
            let client = try await fixture.subscribe(MultiplexTests.both + "&lastEventId=\(tag).\(run)-2.02")
            let events = try await client.waitFor("/a's patch and /b's state") { $0.count >= 2 }
            #expect(events.map(\.name) == ["/a patch", "/b changed"], "\(events)")
            await client.close()
        }
    }
}

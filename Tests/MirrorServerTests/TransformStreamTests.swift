import MirrorCore
import Testing
import MirrorDocument

/// A stream with a transform, served by a real server: what is diffed, weighed and sent is the
/// transformed document.
@Suite("transformed streams", .timeLimit(.minutes(1)))
struct TransformStreamTests {
    /// `patch_ratio` weighs a patch against the published subtree, not the 10 KB file around it:
    /// a patch that rewrites every member of a small subtree is sent as the subtree instead, and
    /// one that is smaller than the subtree as a patch.
    @Test func patchRatioWeighsThePublishedDocumentNotTheFile() async throws {
        func file(_ a: Int, _ b: String) -> String {
            #"{"small":{"a":\#(a),"b":"\#(b)","note":"not published"},"big":"\#(String(repeating: "x", count: 10_000))"}"#
        }
        let long = String(repeating: "b", count: 60)
        try await withServer(MirrorFixture.start(
            files: ["app.json": file(1, "two")],
            emit: .patch,
            transform: Transform([.select(try JSONPointer("/small")), .pick(["a", "b"])])
        )) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the first document") { $0.count == 1 }
            for (version, text) in [file(2, "three"), file(3, long), file(4, long)].enumerated() {
                try fixture.directory.write("app.json", text)
                try await client.waitFor("version \(version + 2)") { $0.count == version + 2 }
            }
            let events = client.events
            #expect(events.map(\.name) == ["changed", "changed", "changed", "patch"])
            // The patch for this one would be 86 bytes; the subtree is 19.
            #expect(events[1].data == #"{"a":2,"b":"three"}"#)
            #expect(events[3].data == #"[{"op":"replace","path":"/a","value":4}]"#)
        }
    }
}

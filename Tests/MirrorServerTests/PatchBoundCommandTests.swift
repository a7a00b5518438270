import Foundation
import Testing

/// `sse-mirror apply` and the bound on what a patch may build (64 MiB of JSON, 512 levels).
@Suite("apply and the patch bound", .timeLimit(.minutes(2)))
struct PatchBoundCommandTests {
    let cli = CommandLineTests()

    /// The issue's case: forty copies of the root of a 1 KB document aborted with a 4 GB
    /// allocation (exit 134); now the seventeenth copy fails the patch, at once.
    @Test func fortyCopiesOfTheRootExit1() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("doc.json", FollowHostileTests.document)
        try directory.write("patch.json", FollowHostileTests.fortyCopies)
        let started = ContinuousClock.now
        let result = try await cli.launch(["apply", directory.url("doc.json"), directory.url("patch.json")])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == directory.url("patch.json") + #": operation 16 at "/c16": the document would be larger than 64 MiB as JSON, the most a patch may build"# + "\n")
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    /// `{"s":"x…"}` with `/s` copied to `/tt` is exactly 64 MiB and applies; to `/ttt`, a byte
    /// more, it does not.
    @Test func aResultOfExactly64MiBApplies() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let length = ((64 << 20) - 16) / 2
        try directory.write("doc.json", #"{"s":""# + String(repeating: "x", count: length) + #""}"#)
        try directory.write("fits.json", #"[{"op":"copy","from":"/s","path":"/tt"}]"#)
        try directory.write("over.json", #"[{"op":"copy","from":"/s","path":"/ttt"}]"#)
        let fits = try await cli.launch(["apply", directory.url("doc.json"), directory.url("fits.json")])
        #expect(fits.status == 0, "\(fits.stderr)")
        #expect(fits.stdout.utf8.count == (64 << 20) + 1)
        let over = try await cli.launch(["apply", directory.url("doc.json"), directory.url("over.json")])
        #expect(over.status == 1 && over.stdout.isEmpty)
        #expect(over.stderr.contains("larger than 64 MiB"), "\(over.stderr)")
    }

    /// A copy of 32 MiB removed again, twenty times over, in 2.7 KB of patch: each pair looks at
    /// 64 MiB, so the patch is refused when it has looked at 256 MiB (it took 18 s and went on).
    @Test func copyingAndRemovingOverAndOverExits1() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let copies = (0..<15).map { #"{"op":"copy","from":"","path":"/c\#($0)"}"# }
        let pair = #"{"op":"copy","from":"/c14","path":"/x"},{"op":"remove","path":"/x"}"#
        try directory.write("doc.json", FollowHostileTests.document)
        try directory.write("patch.json", "[" + (copies + Array(repeating: pair, count: 20)).joined(separator: ",") + "]")
        let result = try await cli.launch(["apply", directory.url("doc.json"), directory.url("patch.json")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the patch would look at more than 256 MiB of values, the most one patch may"), "\(result.stderr)")
    }

    /// Moves that nest a value a level deeper each time: 100,000 levels ended the process with a
    /// segmentation fault (freeing or writing the document recurses); now the patch fails at 512.
    @Test func nestingPastTheParsersDepthExits1() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let round = #"{"op":"add","path":"/b","value":{}},{"op":"move","from":"/a","path":"/b/a"},{"op":"move","from":"/b","path":"/a"}"#
        try directory.write("doc.json", #"{"a":{}}"#)
        try directory.write("patch.json", "[" + Array(repeating: round, count: 20_000).joined(separator: ",") + "]")
        let result = try await cli.launch(["apply", directory.url("doc.json"), directory.url("patch.json")])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"operation 1531 at "/b/a": the document would nest deeper than 512 levels"#), "\(result.stderr)")
    }
}

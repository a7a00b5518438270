import Foundation
import Testing

/// `sse-mirror diff` and `sse-mirror apply` as a user runs them.
@Suite("diff and apply commands", .timeLimit(.minutes(1)))
struct PatchCommandTests {
    let cli = CommandLineTests()

    func files(_ contents: [String: String]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for (name, text) in contents { try directory.write(name, text) }
        return directory
    }

    @Test func diffPrintsThePatchAndApplyRoundTrips() async throws {
        let directory = try files([
            "old.json": #"{"a": [1, 2, 3], "b": {"c": "x", "d~/e": 1}, "n": 1.50}"#,
            "new.json": #"{"a": [1, 3, 4], "b": {"c": "y", "d~/e": 2, "z": null}, "n": 1.5}"#,
        ])
        defer { directory.remove() }
        let diff = try await cli.launch(["diff", directory.url("old.json"), directory.url("new.json")])
        // Differing documents still exit 0, unlike diff(1).
        #expect(diff.status == 0)
        #expect(diff.stdout == #"[{"op":"remove","path":"/a/1"},{"op":"add","path":"/a/2","value":4},{"op":"replace","path":"/b/c","value":"y"},{"op":"replace","path":"/b/d~0~1e","value":2},{"op":"add","path":"/b/z","value":null},{"op":"replace","path":"/n","value":1.5}]"# + "\n")
        try directory.write("patch.json", diff.stdout)
        let applied = try await cli.launch(["apply", directory.url("old.json"), directory.url("patch.json")])
        #expect(applied.status == 0)
        #expect(applied.stdout == #"{"a":[1,3,4],"b":{"c":"y","d~/e":2,"z":null},"n":1.5}"# + "\n")
        let same = try await cli.launch(["diff", directory.url("old.json"), directory.url("old.json")])
        #expect(same.status == 0 && same.stdout == "[]\n")
    }

    @Test func mergePatches() async throws {
        let directory = try files([
            "old.json": #"{"a": 1, "b": {"c": 2, "d": 3}}"#,
            "new.yaml": "a: 1\nb:\n  c: 5\n",
            "null.json": #"{"a": null}"#,
        ])
        defer { directory.remove() }
        let diff = try await cli.launch(["diff", "--merge", directory.url("old.json"), directory.url("new.yaml")])
        #expect(diff.status == 0 && diff.stdout == #"{"b":{"d":null,"c":5}}"# + "\n")
        try directory.write("merge.json", diff.stdout)
        let applied = try await cli.launch(["apply", "--merge", directory.url("old.json"), directory.url("merge.json")])
        #expect(applied.stdout == #"{"a":1,"b":{"c":5}}"# + "\n")
        // A member set to null cannot be said in a merge patch: an error, not a wrong patch.
        let inexpressible = try await cli.launch(["diff", "--merge", directory.url("old.json"), directory.url("null.json")])
        #expect(inexpressible.status == 1 && inexpressible.stdout.isEmpty && inexpressible.stderr.contains("null"))
    }

    @Test(arguments: [
        ("doc.json", #"[{"op":"test","path":"/a","value":2}]"#, "operation 0"),
        ("doc.json", #"[{"op":"remove","path":"/missing"}]"#, "operation 0"),
        ("doc.json", #"[{"op":"add","path":"/a/b/c","value":1}]"#, "operation 0"),
        ("doc.json", #"[{"op":"move","from":"/o","path":"/o/x"}]"#, "operation 0"),
        ("doc.json", #"[{"op":"replace","path":"a","value":1}]"#, "patch.json"),
        ("doc.json", #"[{"op":"copy","path":"/x"}]"#, "operation 0"),
        ("doc.json", #"{"op":"add"}"#, "patch.json"),
        ("doc.json", #"[{"op":"add","path":"/x","value":1},{"op":"jump","path":"/"}]"#, "operation 1"),
        ("doc.json", "[{\"op\": ", "patch.json:1:"),
        ("bad.json", "[]", "bad.json:1:"),
        ("nothere.json", "[]", "nothere.json: no such file"),
    ])
    func everyApplyFailureExitsOneWithAMessage(document: String, patch: String, message: String) async throws {
        let directory = try files(["doc.json": #"{"a": 1, "o": {}}"#, "bad.json": "{\"a\" 1}", "patch.json": patch])
        defer { directory.remove() }
        let result = try await cli.launch(["apply", directory.url(document), directory.url("patch.json")])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func hostileInputIsAnErrorNotACrash() async throws {
        let directory = try files([
            "deep.json": String(repeating: "[", count: 200_000),
            "huge.json": #"{"n": 1"# + String(repeating: "0", count: 100_000) + "}",
            "patch.json": #"[{"op":"test","path":"/n","value":1e100000}]"#,
        ])
        defer { directory.remove() }
        let deep = try await cli.launch(["diff", directory.url("deep.json"), directory.url("deep.json")])
        #expect(deep.status == 1 && deep.stderr.contains("nesting"))
        // A 100,001-digit number is kept as written and compared by value for `test`.
        let huge = try await cli.launch(["apply", directory.url("huge.json"), directory.url("patch.json")])
        #expect(huge.status == 0, "\(huge.stderr)")
        #expect(huge.stdout.utf8.count > 100_000)
    }
}

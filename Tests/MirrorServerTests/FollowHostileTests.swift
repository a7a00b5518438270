import Foundation
import Glibc
import MirrorCore
import Testing

/// `follow` against servers that send what no sse-mirror sends: a patch that would build a
/// terabyte, patches that never apply. The real binary, a real socket, the process's own memory.
@Suite("follow against a hostile server", .timeLimit(.minutes(2)))
struct FollowHostileTests {
    /// The issue's document (about 1 KB) and patch (forty copies of the root, 1.5 KB).
    static let document = "{" + (0..<50).map { #""k\#($0)":"vvvvvvvvvv""# }.joined(separator: ",") + "}"
    static let fortyCopies = "[" + (0..<40).map { #"{"op":"copy","from":"","path":"/c\#($0)"}"# }.joined(separator: ",") + "]"

    static func stream(retry: Int, patch: String) -> String {
        "retry: \(retry)\n\nevent: changed\nid: 1\ndata: \(document)\n\nevent: patch\nid: 2\ndata: \(patch)\n\n"
    }

    /// `sse-mirror follow URL` through a shell that first says its process id (the shell's, which
    /// exec hands on), so the test can read the follower's /proc/PID/status while it runs.
    static func follow(_ url: String) throws -> FollowProcess {
        try FollowProcess([], command: [
            "/bin/sh", "-c", #"echo "pid $$" >&2; exec "$@""#, "sh", CommandLineTests.executable.path, "follow", url,
        ])
    }

    /// The follower's peak resident memory (VmHWM), in bytes.
    static func peakMemory(of follow: FollowProcess) throws -> Int {
        let pid = try #require(follow.errors.firstMatch(of: /pid (\d+)/)?.output.1)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let kilobytes = try #require(Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).dropLast(3)))
        return kilobytes * 1024
    }

    /// The patch fails at the bound like any patch that does not apply: the document is dropped,
    /// the follower reconnects after the reconnection time, and its memory stays small.
    @Test func aPatchThatWouldBuildATerabyteIsDropped() async throws {
        let server = try await ScriptedEventServer(stream: Self.stream(retry: 500, patch: Self.fortyCopies))
        let follow = try Self.follow("http://127.0.0.1:\(server.port)/config")
        // The second connection is the follower starting over after the refused patch.
        try await server.waitForConnections(2)
        let peak = try Self.peakMemory(of: follow)
        #expect(peak < 512 << 20, "peak memory \(peak >> 20) MiB")
        #expect(follow.errors.contains(#"dropped the document: the patch does not apply: operation 16 at "/c16": the document would be larger than 64 MiB"#), "\(follow.errors)")
        #expect(follow.errors.contains("without Last-Event-ID"), "\(follow.errors)")
        let times = server.connections
        #expect(times[1] - times[0] >= .milliseconds(500))
        // The document was printed once; the same `changed` after the reconnect prints nothing.
        try await follow.waitForOutput("the document") { $0 == Self.document + "\n" }
        // Still running: SIGTERM ends it, not a crash before.
        follow.signal(SIGTERM)
        #expect(try await follow.exitStatus() == SIGTERM && follow.endedBySignal, "\(follow.errors)")
        await server.close()
    }

    /// A server whose patches never apply is asked again after a pause, not at once (it was 99
    /// connections in 5 s with `retry: 1000`, 3,546 in 6 s with `retry: 0`): at least 1 s after the
    /// first such patch, doubling while they keep failing, whatever `retry:` says.
    @Test(arguments: [0, 1000])
    func aPatchThatDoesNotApplyWaitsLongerEachTime(retry: Int) async throws {
        let server = try await ScriptedEventServer(stream: Self.stream(retry: retry, patch: #"[{"op":"remove","path":"/missing"}]"#))
        let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/config"])
        try await server.waitForConnections(4)
        let times = server.connections
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        for (index, gap) in gaps.prefix(3).enumerated() {
            #expect(gap >= .seconds(1 << index), "connections at \(times.map { $0 - times[0] })")
        }
        #expect(follow.errors.contains("reconnecting in 1"), "\(follow.errors)")
        follow.signal(SIGTERM)
        _ = try await follow.exitStatus()
        await server.close()
    }

    /// A directory stream shows a file its writer holds open as `"writing": true`; `--until` at it
    /// waits for the whole file. A plain file stream of such a document stands in for the tree.
    @Test func untilWaitsUntilTheFileIsWhole() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("entries.json", #"{"app.tar.gz": {"size": 1, "mtime": "x", "writing": true}}"#)
        try await withServer(FollowCommandTests.serve("  - path: /artifacts\n    watch: entries.json\n", in: directory)) { server in
            let url = "http://127.0.0.1:\(server.port)/artifacts"
            let waiting = try FollowProcess(["follow", url, "--until", "/app.tar.gz", "--timeout", "60"])
            try await FollowCommandTests.waitForClients(1, port: server.port)
            let early = try FollowProcess(["follow", url, "--until", "/app.tar.gz/size=1", "--timeout", "1"])
            #expect(try await early.exitStatus() == 124, "\(early.errors)")
            #expect(early.output.isEmpty)
            #expect(waiting.output.isEmpty)
            try directory.write("entries.json", #"{"app.tar.gz": {"size": 1, "mtime": "y", "sha256": "ab"}}"#)
            #expect(try await waiting.exitStatus() == 0, "\(waiting.errors)")
            #expect(waiting.output == #"{"app.tar.gz":{"size":1,"mtime":"y","sha256":"ab"}}"# + "\n")
        }
    }
}

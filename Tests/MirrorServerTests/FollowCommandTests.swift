import Foundation
import Glibc
import MirrorCore
import NIOPosix
import Testing
import MirrorDocument

/// `sse-mirror follow` as a script runs it: the real binary following the real server, which
/// watches a real folder that the test changes on disk.
@Suite("follow command", .timeLimit(.minutes(2)))
struct FollowCommandTests {
    let cli = CommandLineTests()

    /// A server on 127.0.0.1 (port 0 unless given) with `streams` (mirror.yaml text, indented
    /// under `streams:`).
    static func serve(_ streams: String, in directory: TemporaryDirectory, port: Int = 0, top: String = "") async throws -> ServerProcess {
        try directory.write("mirror.yaml", "listen: 127.0.0.1:\(port)\nheartbeat: 0\n\(top)streams:\n\(streams)")
        return try await ServerProcess(config: directory.url("mirror.yaml"), in: directory)
    }

    /// Waits until the server counts `count` event-stream clients (its /healthz), so a test knows
    /// the follower is connected before it changes the file.
    /// The 40 s are a guard (it looks once more after them), not the time a connect takes.
    static func waitForClients(_ count: Int, port: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var last = ""
        let connected = try await poll(timeout: .seconds(40), every: .milliseconds(50)) {
            let client = try await TestClient.connect(
                port: port, group: MultiThreadedEventLoopGroup.singleton,
                request: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try? await client.waitUntilClosed()
            last = client.body
            await client.close()
            return last.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("\"clients\":\(count)}")
        }
        if connected { return }
        Issue.record("the server never had \(count) clients: \(last)", sourceLocation: sourceLocation)
        throw TimeoutError()
    }

    @Test func untilWaitsForTheKeyOnAPatchStream() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"a": 1}"#)
        try await withServer(Self.serve("  - path: /config\n    watch: app.json\n    emit: patch\n", in: directory)) { server in
            let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/config", "--until", "/ready", "--timeout", "60"])
            try await Self.waitForClients(1, port: server.port)
            try directory.write("app.json", #"{"a": 2}"#)
            try await Task.sleep(for: .milliseconds(300))
            #expect(follow.output.isEmpty)
            try directory.write("app.json", #"{"a": 2, "ready": false}"#)
            #expect(try await follow.exitStatus() == 0, "\(follow.errors)")
            // Only the document that satisfied it, once; `false` is a value, so the key is there.
            #expect(follow.output == #"{"a":2,"ready":false}"# + "\n")
            #expect(follow.errors.isEmpty)
        }
    }

    @Test func untilWithAValueComparesNumbersByValue() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"a": 1}"#)
        try await withServer(Self.serve("  - path: /config\n    watch: app.json\n    emit: merge-patch\n", in: directory)) { server in
            let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/config", "--until", "/a=5", "--timeout", "60"])
            try await Self.waitForClients(1, port: server.port)
            try directory.write("app.json", #"{"a": 4}"#)
            try await Task.sleep(for: .milliseconds(300))
            try directory.write("app.json", #"{"a": 5.0, "b": "x"}"#)
            #expect(try await follow.exitStatus() == 0, "\(follow.errors)")
            #expect(follow.output == #"{"a":5.0,"b":"x"}"# + "\n")
        }
    }

    @Test func aTimeoutExits124() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"a": 1}"#)
        try await withServer(Self.serve("  - path: /config\n    watch: app.json\n", in: directory)) { server in
            let started = ContinuousClock.now
            let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/config", "--until", "/never", "--timeout", "1"])
            #expect(try await follow.exitStatus() == 124)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(follow.output.isEmpty)
            #expect(follow.errors.contains("timed out: --until /never did not hold within 1"), "\(follow.errors)")
            // A server that is not there at all: the same, while it retries.
            _ = await server.stop()
            let nobody = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/config", "--until", "/a", "--timeout", "1500ms"])
            #expect(try await nobody.exitStatus() == 124)
            #expect(nobody.errors.contains("cannot connect to 127.0.0.1:\(server.port)"), "\(nobody.errors)")
        }
    }

    /// One line per version, through a restart of the server: the follower reconnects after the
    /// server's `retry:` and ends on the file's document.
    @Test func printDocFollowsAcrossAServerRestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"v": 1}"#)
        let streams = "  - path: /config\n    watch: app.json\n    emit: patch\n"
        try await withServer(Self.serve(streams, in: directory)) { first in
            let port = first.port
            let follow = try FollowProcess(["follow", "http://127.0.0.1:\(port)/config"])
            try await follow.waitForOutput("the first document") { $0 == #"{"v":1}"# + "\n" }
            #expect(await first.stop() == 0)
            try directory.write("app.json", #"{"v": 2, "list": [1, 2]}"#)
            let second = try await Self.serve(streams, in: directory, port: port)
            try await follow.waitForOutput("the document after the restart") { $0.hasSuffix(#"{"v":2,"list":[1,2]}"# + "\n") }
            try await Self.waitForClients(1, port: port)
            try directory.write("app.json", #"{"v": 3, "list": [1, 2, 3]}"#)
            try await follow.waitForOutput("the patched document") { $0.hasSuffix(#"{"v":3,"list":[1,2,3]}"# + "\n") }
            #expect(follow.output == [#"{"v":1}"#, #"{"v":2,"list":[1,2]}"#, #"{"v":3,"list":[1,2,3]}"#].map { $0 + "\n" }.joined())
            #expect(follow.errors.contains("reconnecting in 2"), "\(follow.errors)")
            // Without --until it runs until interrupted: SIGTERM's default action, 143 in a shell.
            follow.signal(SIGTERM)
            #expect(try await follow.exitStatus() == SIGTERM && follow.endedBySignal)
            _ = await second.stop()
        }
    }

    @Test func printEventsPrintsTheEventsAsSent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Padding, so the patch is smaller than the file and goes as a patch (patch_ratio).
        let pad = String(repeating: "p", count: 100)
        try directory.write("app.json", #"{"a": 1, "pad": "\#(pad)"}"#)
        try await withServer(Self.serve("  - path: /config\n    watch: app.json\n    emit: patch\n", in: directory)) { server in
            let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/config", "--print", "events", "--until", "/a=2", "--timeout", "60"])
            try await Self.waitForClients(1, port: server.port)
            try directory.write("app.json", #"{"a": 2, "pad": "\#(pad)"}"#)
            #expect(try await follow.exitStatus() == 0, "\(follow.errors)")
            let expected = #/event: changed\nid: ([0-9a-z]+)-1\ndata: \{"a":1,"pad":"p{100}"\}\n\nevent: patch\nid: ([0-9a-z]+)-2\ndata: \[\{"op":"replace","path":"\/a","value":2\}\]\n\n/#
            #expect(follow.output.wholeMatch(of: expected) != nil, "\(follow.output)")
        }
    }

    /// The issue's example: wait for an artifact in a directory stream, whose keys are paths.
    @Test func untilAnArtifactInATreeStream() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("build/logs")
        try directory.write("build/logs/build.txt", "ok\n")
        try await withServer(Self.serve("  - path: /artifacts\n    watch: build/\n", in: directory)) { server in
            let follow = try FollowProcess([
                "follow", "http://127.0.0.1:\(server.port)/artifacts", "--until", "/dist~1app.tar.gz", "--timeout", "60",
            ])
            try await Self.waitForClients(1, port: server.port)
            // Written, then moved into place, as a build should publish it: a manifest shows a file
            // still being written too (PROTOCOL.md "Changes"), and --until would see it half-made.
            try directory.write("app.tar.gz", String(repeating: "x", count: 1000))
            try directory.mkdir("build/dist")
            try directory.rename("app.tar.gz", "build/dist/app.tar.gz")
            #expect(try await follow.exitStatus() == 0, "\(follow.errors)")
            let document = try JSONParser.parse(Array(follow.output.utf8))
            let entry = try #require(JSONPointer("/dist~1app.tar.gz").resolve(in: document))
            #expect(JSONPointer(tokens: ["size"]).resolve(in: entry) == 1000)
            #expect(JSONPointer(tokens: ["logs/build.txt", "size"]).resolve(in: document) == 3)
        }
    }

    @Test func aTokenOpensAStreamBehindAuth() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"a": 1}"#)
        try directory.write("tokens", "s3cret-token\n")
        let streams = "  - path: /config\n    watch: app.json\n    auth: {tokens_file: tokens}\n"
        try await withServer(Self.serve(streams, in: directory)) { server in
            let url = "http://127.0.0.1:\(server.port)/config"
            let none = try await cli.launch(["follow", url, "--until", "/a"])
            #expect(none.status == 1)
            #expect(none.stderr.contains("401 Unauthorized") && none.stderr.contains("--token"), "\(none.stderr)")
            let wrong = try await cli.launch(["follow", url, "--until", "/a", "--token", "guess"])
            #expect(wrong.status == 1 && wrong.stderr.contains("401"))
            #expect(!wrong.stderr.contains("guess"))
            let right = try await cli.launch(["follow", url, "--until", "/a", "--token", "s3cret-token", "--timeout", "30"])
            #expect(right.status == 0, "\(right.stderr)")
            #expect(right.stdout == #"{"a":1}"# + "\n")
            let fromFile = try await cli.launch(["follow", url, "--until", "/a=1", "--token-file", directory.url("tokens"), "--timeout", "30"])
            #expect(fromFile.status == 0 && fromFile.stdout == #"{"a":1}"# + "\n", "\(fromFile.stderr)")
            // ?access_token= in the URL goes through as written.
            let inURL = try await cli.launch(["follow", url + "?access_token=s3cret-token", "--until", "/a", "--timeout", "30"])
            #expect(inURL.status == 0, "\(inURL.stderr)")
            // A stream that does not exist is as final as a refused token.
            let missing = try await cli.launch(["follow", "http://127.0.0.1:\(server.port)/nothere", "--until", "/a"])
            #expect(missing.status == 1 && missing.stderr.contains("404"), "\(missing.stderr)")
        }
    }

    @Test(arguments: [
        (["ftp://127.0.0.1/x"], "not an http:// or https:// URL"),
        (["127.0.0.1:8080/config"], "not an http:// or https:// URL"),
        (["http://127.0.0.1:99999/config"], "port"),
        (["http:///config"], "no host"),
        (["http://user:pw@127.0.0.1/config"], "--token"),
        (["http://127.0.0.1/a b"], "a space"),
        (["http://127.0.0.1/config", "--until", "a"], "--until"),
        (["http://127.0.0.1/config", "--until", "/a~2"], "--until"),
        (["http://127.0.0.1/config", "--until", "/a=ready"], "not JSON"),
        (["http://127.0.0.1/config", "--timeout", "soon"], "--timeout"),
        (["http://127.0.0.1/config", "--token", "a b"], "token"),
        (["http://127.0.0.1/config", "--token", "a", "--token-file", "/etc/hostname"], "not both"),
        (["http://127.0.0.1/config", "--token-file", "/nonexistent/token"], "--token-file"),
    ])
    func badInputExits1(arguments: [String], message: String) async throws {
        let result = try await cli.launch(["follow"] + arguments)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// examples/ci-wait.sh, the README's CI recipe, against a real server: it waits for the
    /// artifact, says so, and exits with follow's code (124 when the artifact never came).
    @Test func theCIWaitExample() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("build")
        try await withServer(Self.serve("  - path: /artifacts\n    watch: build/\n", in: directory)) { server in
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("examples/ci-wait.sh").path
            let environment = ["SSE_MIRROR": CommandLineTests.executable.path]
            let url = "http://127.0.0.1:\(server.port)/artifacts"
            let wait = try FollowProcess([], command: ["/bin/sh", script, url, "dist/app.tar.gz", "60"], environment: environment)
            try await Self.waitForClients(1, port: server.port)
            try directory.write("app.tar.gz", "tarball")
            try directory.mkdir("build/dist")
            try directory.rename("app.tar.gz", "build/dist/app.tar.gz")
            #expect(try await wait.exitStatus() == 0, "\(wait.errors)")
            #expect(wait.output.hasPrefix("dist/app.tar.gz is ready: "), "\(wait.output)")
            #expect(wait.output.contains(#""size":7"#), "\(wait.output)")
            let never = try FollowProcess([], command: ["/bin/sh", script, url, "dist/never.tar.gz", "1"], environment: environment)
            #expect(try await never.exitStatus() == 124)
            #expect(never.errors.contains("dist/never.tar.gz"), "\(never.errors)")
        }
    }
}

import Foundation
import Testing

/// Config files written to hurt, given to the real `sse-mirror`: `check` and serve must both exit 2
/// with `file:line:column: error:`, never die from a signal, and agree on what is valid.
@Suite("hostile config", .timeLimit(.minutes(1)))
struct HostileConfigTests {
    let cli = CommandLineTests()

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        /// What standard error starts with, after the config's path.
        var error: String
        var testDescription: String { name }
    }

    /// A serve that gets past the config binds a free port (to reach the heartbeat) or, where the config
    /// would otherwise be valid, TEST-NET-1 (RFC 5737), which fails at once instead of serving forever.
    @Test(arguments: [
        // A tree this deep used to overflow the stack when it was freed (SIGSEGV).
        Case(name: "deep block nesting", text: "streams:\n  " + String(repeating: "- ", count: 60_000) + "x\n",
             error: ":2:129: error: lists and mappings nest more than 64 levels deep"),
        // 17 s in libyaml before the bound.
        Case(name: "deep flow nesting", text: "streams: " + String(repeating: "[", count: 70_000) + "\n",
             error: ":1:73: error: lists and mappings nest more than 64 levels deep"),
        // `2562047788015216 * 3600` overflowed Int64 in DurationText (SIGILL).
        Case(name: "heartbeat overflows in hours", text: "listen: 127.0.0.1:0\nheartbeat: 2562047788015216h\nstreams: []\n",
             error: ":2:12: error: heartbeat: 2562047788015216h is too long; at most 24h"),
        // These passed `check` and trapped in serve, once bound, converting to NIO's TimeAmount.
        Case(name: "heartbeat Int64.max ms", text: "listen: 127.0.0.1:0\nheartbeat: 9223372036854775807ms\nstreams: []\n",
             error: ":2:12: error: heartbeat: 9223372036854775807ms is too long; at most 24h"),
        Case(name: "heartbeat 9300000000s", text: "listen: 127.0.0.1:0\nheartbeat: 9300000000s\nstreams: []\n",
             error: ":2:12: error: heartbeat: 9300000000s is too long; at most 24h"),
        Case(name: "heartbeat beyond Int64", text: "listen: 127.0.0.1:0\nheartbeat: 99999999999999999999999s\nstreams: []\n",
             error: ":2:12: error: heartbeat: 99999999999999999999999s is too long; at most 24h"),
        // These passed `check` and failed only when serve tried to bind.
        Case(name: "listen host not an IPv4 address", text: "listen: 999.1.1.1:80\nstreams: []\n",
             error: ":1:9: error: listen: '999.1.1.1' is not an IPv4 address"),
        Case(name: "listen host with a space", text: "listen: \"exa mple:80\"\nstreams: []\n",
             error: ":1:9: error: listen: 'exa mple' is not a host name: a space is not allowed"),
        Case(name: "listen port beyond Int64", text: "listen: 127.0.0.1:99999999999999999999999\nstreams: []\n",
             error: ":1:9: error: listen: the port must be a number from 0 to 65535"),
        Case(name: "NUL byte", text: "streams:\n  - path: /a\n    watch: a\0b\n",
             error: ":3:13: error: control characters are not allowed (U+0000)"),
        Case(name: "unknown tag", text: "listen: 192.0.2.1:0\nstreams:\n  - path: /a\n    watch: !!binary aGk=\n",
             error: ":4:12: error: unsupported tag !!binary"),
    ])
    func checkAndServeBothExit2(_ bad: Case) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try cli.config(bad.text, in: directory)
        for arguments in [["check", path], [path]] {
            let result = try await cli.launch(arguments)
            #expect(result.status == 2, "\(arguments[0]): \(result.stderr.prefix(300))")
            #expect(result.stderr.hasPrefix(path + bad.error), "\(result.stderr.prefix(300))")
            // The child's own time (not the wait for a free core): bad input never hangs it.
            #expect(result.elapsed < .seconds(5))
        }
    }

    /// The exact message for a bracketed address written without quotes.
    @Test func unquotedIPv6ListenSaysHowToQuoteIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try cli.config("listen: [::1]:8080\nstreams: []\n", in: directory)
        let result = try await cli.launch(["check", path])
        #expect(result.status == 2)
        #expect(result.stderr == """
            \(path):1:9: error: listen: an address in brackets must be quoted, or YAML reads a list: did you mean "[::1]:8080"?
             1 | listen: [::1]:8080
               |         ^

            """)
    }

    /// A CRLF file's error shows line 4 as line 4, without its `\r`.
    @Test func crlfConfigShowsTheRightLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try cli.config("streams:\r\n  - path: /config\r\n    watch: app.json\r\n    format: xml\r\n", in: directory)
        let result = try await cli.launch(["check", path])
        #expect(result.status == 2)
        #expect(result.stderr == """
            \(path):4:13: error: format: unknown format 'xml' (supported: json, yaml, text, lines, manifest)
             4 |     format: xml
               |             ^

            """)
    }

    /// `sse-mirror link/../mirror.yaml` reads its relative `watch` paths next to the file the kernel opened.
    @Test func relativeWatchFollowsTheConfigsRealFolder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("real/sub")
        try directory.mkdir("elsewhere")
        try directory.symlink("elsewhere/link", to: directory.url("real/sub"))
        try directory.write("real/app.json", #"{"from": "real"}"#)
        try directory.write("elsewhere/app.json", #"{"from": "elsewhere"}"#)
        try directory.write("real/mirror.yaml", "listen: 127.0.0.1:0\nheartbeat: 0\nstreams:\n  - path: /config\n    watch: app.json\n")
        try await withServer(ServerProcess(config: directory.url("elsewhere/link/../mirror.yaml"), in: directory)) { server in
            let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/config")
            let events = try await client.waitFor("first") { $0.count == 1 }
            #expect(events[0].data == #"{"from":"real"}"#)
            #expect(await server.stop() == 0)
            try await client.waitUntilClosed()
        }
    }
}

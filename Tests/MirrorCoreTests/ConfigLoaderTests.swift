import MirrorCore
import Testing
import MirrorDocument

@Suite("mirror.yaml")
struct ConfigLoaderTests {
    @Test func fullConfigWithDefaults() throws {
        let config = try load(
            """
            streams:
              - path: /config
                watch: data/app.json
              - path: /abs
                watch: /etc/../etc/thing.json
                format: json
            """
        )
        #expect(config.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.heartbeat == .seconds(15))
        #expect(config.streams.map(\.path) == ["/config", "/abs"])
        #expect(config.streams[0].watch == "data/app.json")
        #expect(config.streams[0].watchPath == "/srv/app/data/app.json")
        #expect(config.streams[1].watchPath == "/etc/thing.json")
        #expect(config.streams[0].format == .json)
    }

    @Test func listenAndHeartbeat() throws {
        let config = try load(
            """
            listen: "[::1]:0"
            heartbeat: 0
            streams: [{path: /a, watch: a.json}]
            """
        )
        #expect(config.listen == ListenAddress(host: "::1", port: 0))
        #expect(config.heartbeat == nil)
        #expect(try load("heartbeat: 250ms\nstreams: []").heartbeat == .milliseconds(250))
        #expect(try load("heartbeat: 2m\nstreams: []").heartbeat == .seconds(120))
    }

    /// YAML 1.1 would read `no`, `on` and `yes` as booleans; the 1.2 core schema keeps them strings.
    @Test func coreSchemaKeepsYAML11BooleansAsStrings() throws {
        let config = try load(
            """
            streams:
              - path: /no
                watch: on
              - path: /yes
                watch: yes
            """
        )
        #expect(config.streams.map(\.watch) == ["on", "yes"])
    }

    @Test(arguments: [
        ("true", YAMLValue.bool(true)), ("False", .bool(false)), ("yes", .string("yes")), ("no", .string("no")),
        ("~", .null), ("", .null), ("12", .int(12)), ("-3", .int(-3)), ("0x1F", .int(31)), ("0o17", .int(15)),
        ("1.5", .float(1.5)), ("1e3", .float(1000)), (".5", .float(0.5)), ("1.2.3", .string("1.2.3")),
        ("15s", .string("15s")), ("0b101", .string("0b101")), ("+", .string("+")),
    ])
    func coreSchemaResolution(text: String, expected: YAMLValue) {
        #expect(YAMLScalar(text: text).resolved == expected)
    }

    @Test func quotedScalarsAreStrings() {
        #expect(YAMLScalar(text: "true", style: .doubleQuoted).resolved == .string("true"))
        #expect(YAMLScalar(text: "12", tag: "tag:yaml.org,2002:str").resolved == .string("12"))
    }

    struct BadConfig: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        BadConfig(name: "unknown top-level key", text: "listen: 127.0.0.1:1\nstreamz: []\n", line: 2, column: 1,
                  message: "unknown key 'streamz'"),
        BadConfig(name: "unknown stream key", text: "streams:\n  - path: /a\n    watch: a\n    fromat: json\n", line: 4, column: 5,
                  message: "unknown key 'fromat' in a stream"),
        BadConfig(name: "duplicate key", text: "streams: []\nheartbeat: 1s\nheartbeat: 2s\n", line: 3, column: 1,
                  message: "duplicate key 'heartbeat' (first at line 2, column 1)"),
        BadConfig(name: "duplicate key quoted", text: "streams:\n  - path: /a\n    \"path\": /b\n    watch: a\n", line: 3, column: 5,
                  message: "duplicate key 'path'"),
        BadConfig(name: "wrong type for listen", text: "listen: 8080\nstreams: []\n", line: 1, column: 9,
                  message: "listen: expected a string, got the integer 8080"),
        BadConfig(name: "bad listen", text: "listen: localhost\nstreams: []\n", line: 1, column: 9,
                  message: "listen: expected HOST:PORT"),
        BadConfig(name: "port out of range", text: "listen: 127.0.0.1:70000\nstreams: []\n", line: 1, column: 9,
                  message: "the port must be a number from 0 to 65535"),
        BadConfig(name: "heartbeat without unit", text: "heartbeat: 15\nstreams: []\n", line: 1, column: 12,
                  message: "a duration needs a unit"),
        BadConfig(name: "heartbeat unknown unit", text: "heartbeat: 15d\nstreams: []\n", line: 1, column: 12,
                  message: "unknown duration unit"),
        BadConfig(name: "streams not a list", text: "streams: /a\n", line: 1, column: 10,
                  message: "streams: expected a list of streams"),
        BadConfig(name: "missing streams", text: "listen: 127.0.0.1:1\n", line: 1, column: 1,
                  message: "missing key 'streams'"),
        BadConfig(name: "duplicate stream path", text: "streams:\n  - path: /a\n    watch: a\n  - path: /a\n    watch: b\n", line: 4, column: 11,
                  message: "duplicate stream path '/a' (first at line 2, column 11)"),
        BadConfig(name: "relative stream path", text: "streams:\n  - path: config\n    watch: a\n", line: 2, column: 11,
                  message: "absolute URL path"),
        BadConfig(name: "reserved stream path", text: "streams:\n  - path: /healthz\n    watch: a\n", line: 2, column: 11,
                  message: "'/healthz' is reserved"),
        BadConfig(name: "root is reserved", text: "streams:\n  - path: /\n    watch: a\n", line: 2, column: 11,
                  message: "'/' is reserved"),
        BadConfig(name: "query in stream path", text: "streams:\n  - path: /a?b\n    watch: a\n", line: 2, column: 11,
                  message: "may not contain '?'"),
        BadConfig(name: "dot segment", text: "streams:\n  - path: /a/../b\n    watch: a\n", line: 2, column: 11,
                  message: "'.' or '..' segments"),
        BadConfig(name: "empty watch", text: "streams:\n  - path: /a\n    watch: \"\"\n", line: 3, column: 12,
                  message: "watch: the file to mirror may not be empty"),
        BadConfig(name: "null watch", text: "streams:\n  - path: /a\n    watch:\n", line: 3, column: 11,
                  message: "watch: expected a string, got null"),
        BadConfig(name: "missing watch", text: "streams:\n  - path: /a\n", line: 2, column: 5,
                  message: "a stream needs 'watch'"),
        BadConfig(name: "unknown format", text: "streams:\n  - path: /a\n    watch: a\n    format: toml\n", line: 4, column: 13,
                  message: "format: unknown format 'toml' (supported: json, yaml, text, lines, manifest)"),
        BadConfig(name: "syntax error", text: "streams:\n  - path: /a\n   watch: a\n", line: 3, column: 4,
                  message: "did not find expected '-' indicator while parsing a block collection"),
        BadConfig(name: "two documents", text: "streams: []\n---\nstreams: []\n", line: 2, column: 1,
                  message: "one YAML document"),
        BadConfig(name: "not a mapping", text: "- a\n- b\n", line: 1, column: 1,
                  message: "the config must be a mapping"),
        BadConfig(name: "empty file", text: "", line: 1, column: 1,
                  message: "the config is empty"),
        BadConfig(name: "unknown alias", text: "streams: *nope\n", line: 1, column: 10,
                  message: "unknown alias"),
        BadConfig(name: "limits not a mapping", text: "limits: 5\nstreams: []\n", line: 1, column: 9,
                  message: "limits must be a mapping"),
        BadConfig(name: "unknown limits key", text: "limits:\n  max_client: 5\nstreams: []\n", line: 2, column: 3,
                  message: "unknown key 'max_client' in limits (allowed: client_buffer, write_timeout, max_clients, keepalive)"),
        BadConfig(name: "client buffer too small", text: "limits:\n  client_buffer: 10\nstreams: []\n", line: 2, column: 18,
                  message: "limits.client_buffer: 10 is too small; at least 1KiB"),
        BadConfig(name: "client buffer unit", text: "limits:\n  client_buffer: 4mb\nstreams: []\n", line: 2, column: 18,
                  message: "limits.client_buffer: unknown size unit"),
        BadConfig(name: "write timeout without unit", text: "limits:\n  write_timeout: 30\nstreams: []\n", line: 2, column: 18,
                  message: "limits.write_timeout: a duration needs a unit"),
        BadConfig(name: "max clients zero", text: "limits:\n  max_clients: 0\nstreams: []\n", line: 2, column: 16,
                  message: "limits.max_clients: expected a whole number of clients from 1"),
        BadConfig(name: "max clients text", text: "limits: {max_clients: many}\nstreams: []\n", line: 1, column: 23,
                  message: "limits.max_clients: expected a whole number"),
        BadConfig(name: "stream max clients negative", text: "streams:\n  - path: /a\n    watch: a\n    max_clients: -1\n", line: 4, column: 18,
                  message: "max_clients: expected a whole number of clients"),
        BadConfig(name: "keepalive below a second", text: "limits:\n  keepalive: {idle: 500ms}\nstreams: []\n", line: 2, column: 21,
                  message: "limits.keepalive.idle: must be whole seconds, at least 1s"),
        BadConfig(name: "keepalive count", text: "limits:\n  keepalive: {count: 200}\nstreams: []\n", line: 2, column: 22,
                  message: "limits.keepalive.count: expected a whole number of probes from 1 to 127"),
        BadConfig(name: "keepalive unknown key", text: "limits:\n  keepalive: {probes: 2}\nstreams: []\n", line: 2, column: 15,
                  message: "unknown key 'probes' in limits.keepalive"),
    ])
    func rejectsWithLineAndColumn(_ bad: BadConfig) {
        do {
            _ = try load(bad.text)
            Issue.record("accepted: \(bad.name)")
        } catch {
            #expect(error.mark == SourceMark(line: bad.line, column: bad.column), "\(error)")
            #expect(error.message.contains(bad.message), "\(error)")
            #expect(error.description.hasPrefix("mirror.yaml:\(bad.line):\(bad.column): error: "))
        }
    }

    @Test func errorShowsTheLineAndACaret() {
        do {
            _ = try load("streams:\n  - path: /a\n    watch: a\n    format: toml\n")
            Issue.record("accepted")
        } catch {
            #expect(
                error.description == """
                    mirror.yaml:4:13: error: format: unknown format 'toml' (supported: json, yaml, text, lines, manifest)
                     4 |     format: toml
                       |             ^
                    """
            )
        }
    }

    /// Aliases that expand without bound are refused instead of eating memory.
    @Test func aliasBombIsRefused() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...6 {
            text += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        do {
            _ = try load(text + "streams: []\n")
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("more than 100000 nodes"))
        }
    }

    @Test func unreadableFileNamesIt() {
        do {
            _ = try ConfigLoader.load(file: "/nonexistent/mirror.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .unreadable)
            #expect(error.description == "/nonexistent/mirror.yaml: error: cannot read the config: no such file")
        }
    }
}

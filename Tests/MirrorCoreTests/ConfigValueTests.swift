import Glibc
import MirrorCore
import Testing
import MirrorDocument

/// Values checked where they are parsed, so that `check` accepts exactly what `serve` can run:
/// durations, listen hosts, explicit tags, and the `hosts:` and `symlinks:` keys.
@Suite("config values")
struct ConfigValueTests {
    func error(_ text: String) -> ConfigError? {
        do {
            _ = try load(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Durations

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("2m", .seconds(120)), ("24h", .seconds(86_400)), ("0", .zero),
        ("0ms", .zero), ("000", .zero), ("2562047h", .seconds(2_562_047 * 3600)),
        ("9223369200000ms", .milliseconds(9_223_369_200_000)),
    ])
    func durationsInRange(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    /// Each of these trapped: the first in `number * 3600` (SIGILL), the next two later, in `serve`,
    /// when the heartbeat became NIO's `TimeAmount` (Int64 nanoseconds); the last is not even an Int64.
    @Test(arguments: ["2562047788015216h", "9223372036854775807ms", "9300000000s", "99999999999999999999999s", "2562048h"])
    func durationsTooLongAreErrors(text: String) {
        #expect(throws: ValueError("\(text) is too long; at most 2562047h")) { try DurationText.parse(text) }
    }

    @Test(arguments: [
        ("2562047788015216h", "heartbeat: 2562047788015216h is too long; at most 24h"),
        ("9223372036854775807ms", "heartbeat: 9223372036854775807ms is too long; at most 24h"),
        ("9300000000s", "heartbeat: 9300000000s is too long; at most 24h"),
        ("99999999999999999999999s", "heartbeat: 99999999999999999999999s is too long; at most 24h"),
        ("1441m", "heartbeat: 1441m is too long; at most 24h"),
        ("99999999999999999999999", "heartbeat: expected a duration like 15s or 500ms, got the number 1e+23"),
        ("\"15\"", "heartbeat: a duration needs a unit: 15ms, 15s, 15m or 15h"),
        ("-5s", "heartbeat: expected a duration like 15s or 500ms, got \"-5s\""),
    ])
    func heartbeatErrors(text: String, message: String) throws {
        let found = try #require(error("heartbeat: \(text)\nstreams: []\n"))
        #expect(found.mark == SourceMark(line: 1, column: 12))
        #expect(found.message == message)
    }

    // MARK: Listen hosts

    /// Each is read as the host and port `serve` binds (brackets off, the zone kept), and reads back
    /// from its description. The ones this machine has (loopback, the wildcards) bind a real
    /// socket on port 0, resolved as the server's bind resolves a host: getaddrinfo, then bind(2).
    @Test(arguments: [
        ("0:8080", "0", 8080, true), ("0.0.0.0:80", "0.0.0.0", 80, true), ("127.0.0.1:0", "127.0.0.1", 0, true),
        ("127.1:80", "127.1", 80, true), ("localhost:80", "localhost", 80, true), ("example.com:443", "example.com", 443, false),
        ("my-host.example.:80", "my-host.example.", 80, false), ("[::1]:8080", "::1", 8080, true), ("[::]:0", "::", 0, true),
        ("[fe80::1%eth0]:80", "fe80::1%eth0", 80, false), ("[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 80, true),
        ("xn--bcher-kva.example:80", "xn--bcher-kva.example", 80, false),
    ])
    func listenHostsThatCanBind(text: String, host: String, port: Int, local: Bool) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
        #expect(try ListenAddress(parsing: address.description) == address)
        if local {
            #expect(Self.bindsOnPortZero(host), "\(host): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether a stream socket binds `host` on port 0 (any free port), closed again at once.
    static func bindsOnPortZero(_ host: String) -> Bool {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, "0", &hints, &found) == 0, let first = found else { return false }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0
    }

    @Test(arguments: [
        ("999.1.1.1:80", "'999.1.1.1' is not an IPv4 address; write four numbers from 0 to 255, like 127.0.0.1"),
        ("1.2.3.4.5:80", "'1.2.3.4.5' is not an IPv4 address"),
        ("foo.123:80", "'foo.123' is not an IPv4 address"),
        ("exa mple:80", "'exa mple' is not a host name: a space is not allowed (letters, digits, '-' and '.')"),
        ("exa_mple:80", "'exa_mple' is not a host name: '_' is not allowed"),
        ("bücher.example:80", "'bücher.example' is not a host name: U+FC is not allowed"),
        ("-a.example:80", "a label may not start or end with '-'"),
        ("a..b:80", "it has an empty label"),
        (String(repeating: "a", count: 64) + ".example:80", "a label is at most 63 characters"),
        (Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".") + ":80", "a host name is at most 253 characters"),
        ("[127.0.0.1]:80", "brackets are for an IPv6 address; write 127.0.0.1:80"),
        ("[::g]:80", "'::g' is not an IPv6 address"),
        ("[fe80::1%]:80", "has no valid IPv6 zone"),
        ("127.0.0.1:+80", "the port must be a number from 0 to 65535, not '+80'"),
        ("127.0.0.1:99999999999999999999", "the port must be a number from 0 to 65535"),
    ])
    func listenHostsThatCannotBind(text: String, message: String) {
        do {
            _ = try ListenAddress(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func listenErrorIsMarkedAtTheValue() throws {
        let found = try #require(error("listen: 999.1.1.1:80\nstreams: []\n"))
        #expect(found.mark == SourceMark(line: 1, column: 9))
        #expect(found.message.hasPrefix("listen: '999.1.1.1' is not an IPv4 address"))
    }

    /// Unquoted, `[::1]:8080` starts a YAML list; libyaml's own words ("did not find expected node
    /// content") do not say that, so the error names the fix.
    @Test(arguments: [
        ("listen: [::1]:8080\nstreams: []\n", "[::1]:8080", 1, 9),
        ("listen: [fe80::1]:80  # link-local\nstreams: []\n", "[fe80::1]:80", 1, 9),
        ("listen:   [127.0.0.1]\nstreams: []\n", "[127.0.0.1]", 1, 11),
        ("streams: []\nlisten: [localhost]:80\n", "[localhost]:80", 2, 9),
    ])
    func unquotedBracketsSuggestQuotes(text: String, suggestion: String, line: Int, column: Int) throws {
        let found = try #require(error(text))
        #expect(found.message == "listen: an address in brackets must be quoted, or YAML reads a list: did you mean \"\(suggestion)\"?")
        #expect(found.mark == SourceMark(line: line, column: column))
    }

    // MARK: Tags

    @Test(arguments: [
        ("streams:\n  - path: !!int x\n    watch: a\n", 2, 11, "!!int: 'x' is not an integer"),
        ("streams:\n  - path: /a\n    watch: !foo bar\n", 3, 12, "unsupported tag !foo; a config value is a string"),
        ("streams:\n  - path: /a\n    watch: !!binary aGk=\n", 3, 12, "unsupported tag !!binary"),
        ("streams:\n  - path: /a\n    watch: !<tag:example.com,2000:x> a\n", 3, 12, "unsupported tag !<tag:example.com,2000:x>"),
        ("heartbeat: !!bool 1s\nstreams: []\n", 1, 12, "!!bool: '1s' is not a boolean (true or false)"),
        ("heartbeat: !!null 1s\nstreams: []\n", 1, 12, "!!null: '1s' is not null"),
        ("heartbeat: !!float 1s\nstreams: []\n", 1, 12, "!!float: '1s' is not a number"),
        ("streams: !!set []\n", 1, 10, "unsupported tag !!set on a sequence"),
        ("streams: !!map []\n", 1, 10, "unsupported tag !!map on a sequence"),
        ("streams:\n  - !custom {path: /a, watch: a}\n", 2, 5, "unsupported tag !custom on a mapping"),
        ("listen: !!int 8080\nstreams: []\n", 1, 9, "listen: expected a string, got the integer 8080"),
    ])
    func tagsAConfigCannotHonourAreErrors(text: String, line: Int, column: Int, message: String) throws {
        let found = try #require(error(text))
        #expect(found.mark == SourceMark(line: line, column: column))
        #expect(found.message.contains(message), "\(found.message)")
    }

    @Test func coreSchemaTagsAreHonoured() throws {
        let config = try load(
            """
            listen: !!str 127.0.0.1:1
            heartbeat: !!int 0
            streams: !!seq
              - !!map {path: !!str /a, watch: !!str 12}
              - {path: ! /b, watch: ! true}
            """
        )
        #expect(config.heartbeat == nil)
        #expect(config.streams.map(\.watch) == ["12", "true"])
        #expect(YAMLScalar(text: "0x10", tag: "tag:yaml.org,2002:int").resolved == .int(16))
        #expect(YAMLScalar(text: "3", tag: "tag:yaml.org,2002:float").resolved == .float(3))
        #expect(YAMLScalar(text: "~", tag: "tag:yaml.org,2002:null").resolved == .null)
        #expect(YAMLScalar(text: "12", style: .doubleQuoted, tag: "tag:yaml.org,2002:int").resolved == .int(12))
    }

    // MARK: hosts and symlinks

    @Test func hostsAreReadAndLowercased() throws {
        let config = try load(
            """
            hosts: [Example.COM, "[FE80::1]", 192.168.1.10, mirror.internal.]
            streams: []
            """
        )
        #expect(config.hosts == ["example.com", "[fe80::1]", "192.168.1.10", "mirror.internal."])
        #expect(try load("streams: []\n").hosts == [])
    }

    @Test(arguments: [
        ("hosts: example.com\n", 1, 8, "hosts: expected a list of host names, like [example.com], got the string \"example.com\""),
        ("hosts: [\"\"]\n", 1, 9, "hosts: a host name may not be empty"),
        ("hosts:\n  -\n", 2, 4, "hosts: expected a string, got null"),
        ("hosts: [example.com:8080]\n", 1, 9, "hosts: 'example.com:8080' has a port; list the host name alone, like example.com"),
        ("hosts: [\"[::1]:8080\"]\n", 1, 9, "hosts: '[::1]:8080' has a port; list the host alone, like [::1]"),
        ("hosts: [\"https://example.com\"]\n", 1, 9, "hosts: 'https://example.com' has a scheme"),
        ("hosts: [\"*.example.com\"]\n", 1, 9, "hosts: '*.example.com': wildcards are not supported"),
        ("hosts: [\"fe80::1\"]\n", 1, 9, "hosts: an IPv6 address goes in brackets, quoted: \"[fe80::1]\""),
        ("hosts: [\"[fe80::1%eth0]\"]\n", 1, 9, "an IPv6 zone ('%…') is not allowed here"),
        ("hosts: [\"exa mple\"]\n", 1, 9, "hosts: 'exa mple' is not a host name"),
        ("hosts: [300.1.1.1]\n", 1, 9, "hosts: '300.1.1.1' is not an IPv4 address"),
        ("hosts: [8080]\n", 1, 9, "hosts: expected a string, got the integer 8080"),
    ])
    func badHosts(text: String, line: Int, column: Int, message: String) throws {
        let found = try #require(error(text + "streams: []\n"))
        #expect(found.mark == SourceMark(line: line, column: column))
        #expect(found.message.contains(message), "\(found.message)")
    }

    @Test func symlinksDefaultOverriddenPerStream() throws {
        let text = """
            symlinks: follow
            streams:
              - {path: /a, watch: a}
              - {path: /b, watch: b, symlinks: same-owner}
            """
        #expect(try load(text).streams.map(\.symlinks) == [.follow, .sameOwner])
        #expect(try load("streams:\n  - {path: /a, watch: a}\n").streams[0].symlinks == .sameOwner)
        #expect(try load("streams:\n  - {path: /a, watch: a, symlinks: follow}\n").streams[0].symlinks == .follow)
    }

    @Test(arguments: [
        ("symlinks: yes\nstreams: []\n", 1, 11, "symlinks: unknown value 'yes' (allowed: same-owner, follow)"),
        ("streams:\n  - {path: /a, watch: a, symlinks: never}\n", 2, 36, "symlinks: unknown value 'never' (allowed: same-owner, follow)"),
        ("symlinks: true\nstreams: []\n", 1, 11, "symlinks: expected a string, got the boolean true"),
    ])
    func badSymlinks(text: String, line: Int, column: Int, message: String) throws {
        let found = try #require(error(text))
        #expect(found.mark == SourceMark(line: line, column: column))
        #expect(found.message == message)
    }
}

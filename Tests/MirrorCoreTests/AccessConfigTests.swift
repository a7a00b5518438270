import Foundation
import Glibc
import MirrorCore
import MirrorTestSupport
import Testing
import MirrorDocument

/// `auth:` and `cors:` in mirror.yaml: tokens come from the environment or a file, never from the
/// config, and no error quotes one.
@Suite("auth and CORS config")
struct AccessConfigTests {
    /// A variable name no other test uses, set for the test's duration.
    static func withVariable<T>(_ value: String?, _ body: (String) throws -> T) rethrows -> T {
        let name = "SSE_MIRROR_TEST_TOKENS_\(UUID().uuidString.replacingOccurrences(of: "-", with: "_"))"
        if let value { setenv(name, value, 1) }
        defer { unsetenv(name) }
        return try body(name)
    }

    func error(_ text: String, base: String = "/srv/app") -> ConfigError? {
        do {
            _ = try load(text, base: base)
            return nil
        } catch {
            return error
        }
    }

    @Test func globalAndPerStreamTokensFromTheEnvironment() throws {
        try Self.withVariable(" one, two ,,") { global in
            try Self.withVariable("three") { secret in
                let config = try load("""
                    auth: {tokens_env: \(global)}
                    streams:
                      - {path: /a, watch: a.json}
                      - {path: /s, watch: s.json, auth: {tokens_env: \(secret)}}
                    """)
                #expect(config.access.tokens?.count == 2)
                #expect(config.access.tokens(forStream: "/a")?.match("one") != nil)
                #expect(config.access.tokens(forStream: "/a")?.match("two") != nil)
                #expect(config.access.tokens(forStream: "/s")?.match("one") == nil)
                #expect(config.access.tokens(forStream: "/s")?.match("three") != nil)
                #expect(config.access.opsTokens != nil && !config.access.publicOps)
            }
        }
    }

    @Test func tokensFromAFileSkipBlankLinesAndComments() throws {
        let temporary = try TemporaryDirectory(prefix: "sse-mirror-auth")
        defer { temporary.remove() }
        let directory = temporary.path
        try "# readers\nalpha\n\n  beta  \n".write(toFile: directory + "/tokens", atomically: true, encoding: .utf8)
        let config = try load("auth: {tokens_file: tokens, public_ops: true}\nstreams: []\n", base: directory)
        #expect(config.access.tokens?.count == 2 && config.access.tokens?.match("beta") != nil)
        #expect(config.access.publicOps && config.access.opsTokens == nil)
        #expect(config.access.tokenFiles == [directory + "/tokens"])
        let missing = error("auth: {tokens_file: nope}\nstreams: []\n", base: directory)
        #expect(missing?.mark == SourceMark(line: 1, column: 21))
        #expect(missing?.message.contains("tokens_file: cannot read 'nope'") == true, "\(String(describing: missing))")
    }

    @Test func badAuthIsAnErrorAtItsLineAndColumnThatQuotesNoToken() {
        Self.withVariable(nil) { unset in
            let error = error("auth:\n  tokens_env: \(unset)\nstreams: []\n")
            #expect(error?.mark == SourceMark(line: 2, column: 15))
            #expect(error?.message == "tokens_env: the environment variable '\(unset)' is not set")
        }
        Self.withVariable(" , ") { empty in
            #expect(error("auth: {tokens_env: \(empty)}\nstreams: []\n")?.message.contains("holds no token") == true)
        }
        Self.withVariable("good-secret,bad secret!") { bad in
            let error = error("auth: {tokens_env: \(bad)}\nstreams: []\n")
            #expect(error?.message.contains("token 2 in the environment variable") == true)
            #expect(error.map { !$0.description.contains("secret") || !$0.description.contains("bad secret") } == true)
            #expect(error?.description.contains("good-secret") == false)
        }
        #expect(error("auth: {tokens_env: A, tokens_file: b}\nstreams: []\n")?.message.contains("not both") == true)
        #expect(error("auth: {public_ops: yes}\nstreams: []\n")?.message.contains("public_ops: expected true or false") == true)
        #expect(error("auth: {token: abc}\nstreams: []\n")?.message.contains("unknown key 'token' in auth") == true)
        #expect(error("streams:\n  - {path: /a, watch: a, auth: {}}\n")?.message.contains("needs 'tokens_env' or 'tokens_file'") == true)
    }

    @Test func corsOriginsAreCheckedAndLowercased() throws {
        let config = try load("cors:\n  origins: [\"HTTPS://Dash.Example.com\", \"http://localhost:3000\", \"*\"]\nstreams: []\n")
        #expect(config.access.corsOrigins == ["https://dash.example.com", "http://localhost:3000", "*"])
        for bad in ["dash.example.com", "https://dash.example.com/", "ftp://x", "https://user@x"] {
            let error = error("cors:\n  origins: [\"\(bad)\"]\nstreams: []\n")
            #expect(error?.mark == SourceMark(line: 2, column: 13), "\(bad)")
            #expect(error?.message.contains("is not an origin") == true, "\(bad)")
        }
        #expect(error("cors: {}\nstreams: []\n")?.message.contains("cors: needs 'origins'") == true)
    }
}

import Foundation
import MirrorCore
import MirrorTestSupport
import Testing
import MirrorDocument

/// A `tokens_file` that is gone, unreadable, empty or holds a bad line: an error at start (``TokenFilePolicy/required``),
/// a revocation of its tokens alone on a reload (``TokenFilePolicy/revokeUnreadable``).
@Suite("tokens file policy")
struct TokenFilePolicyTests {
    static let config = """
        auth: {tokens_file: tokens}
        streams:
          - {path: /a, watch: a.json}
          - {path: /b, watch: b.json, auth: {tokens_file: other}}
        """

    func load(_ policy: TokenFilePolicy, tokens: String?, other: String? = "token-b\n") throws -> MirrorConfig {
        let temporary = try TemporaryDirectory(prefix: "sse-mirror-tokens")
        defer { temporary.remove() }
        let folder = temporary.path
        if let tokens { try tokens.write(toFile: folder + "/tokens", atomically: false, encoding: .utf8) }
        if let other { try other.write(toFile: folder + "/other", atomically: false, encoding: .utf8) }
        return try ConfigLoader.parse(Array(Self.config.utf8), file: "mirror.yaml", baseDirectory: folder, tokenFiles: policy)
    }

    @Test func aMissingFileRevokesItsTokensOnlyAndIsStillFollowed() throws {
        let config = try load(.revokeUnreadable, tokens: nil)
        let global = try #require(config.access.tokens)
        #expect(global.count == 0 && global.match("token-a") == nil)
        #expect(config.access.tokens(forStream: "/b")?.match("token-b") != nil)
        #expect(config.access.revokedTokenFiles.map(\.reason) == ["no such file"])
        #expect(config.access.revokedTokenFiles.first?.path.hasSuffix("/tokens") == true)
        #expect(config.access.tokenFiles.map { ($0 as NSString).lastPathComponent } == ["tokens", "other"])
    }

    @Test func aFileNamedTwiceIsRevokedOnce() throws {
        let text = "auth: {tokens_file: gone}\nstreams:\n  - {path: /a, watch: a.json, auth: {tokens_file: gone}}\n"
        let config = try ConfigLoader.parse(Array(text.utf8), file: "mirror.yaml", baseDirectory: "/nonexistent", tokenFiles: .revokeUnreadable)
        #expect(config.access.revokedTokenFiles.count == 1)
        #expect(config.access.tokens?.count == 0 && config.access.tokens(forStream: "/a")?.count == 0)
    }

    @Test func anEmptyFileRevokesItsTokens() throws {
        let config = try load(.revokeUnreadable, tokens: "token-a\n", other: "# none\n\n")
        #expect(config.access.tokens?.match("token-a") != nil)
        #expect(config.access.tokens(forStream: "/b")?.count == 0)
        #expect(config.access.revokedTokenFiles.map(\.reason) == ["auth: 'other' holds no token"])
    }

    /// A line no client could send (a typo, a binary file): the old tokens do not stay for it.
    @Test func aFileWithABadTokenRevokesItsTokensWithoutQuotingIt() throws {
        let config = try load(.revokeUnreadable, tokens: "token-a\nsecret with-space\n")
        #expect(config.access.tokens?.count == 0)
        let reason = try #require(config.access.revokedTokenFiles.first?.reason)
        #expect(reason.hasPrefix("auth: token 2 in 'tokens' holds a character a bearer token cannot"), "\(reason)")
        #expect(!reason.contains("secret"))
        #expect(throws: ConfigError.self) { try load(.required, tokens: "token a\n") }
    }

    @Test func atStartAMissingOrEmptyFileIsAnError() throws {
        for (tokens, message) in [(nil, "tokens_file: cannot read 'tokens': no such file"), ("\n", "auth: 'tokens' holds no token")] {
            do {
                _ = try load(.required, tokens: tokens)
                Issue.record("loaded")
            } catch let error as ConfigError {
                #expect(error.message == message)
                #expect(error.mark == SourceMark(line: 1, column: 21))
            }
        }
    }
}

import MirrorCore
import MirrorServer
import Testing

/// Bearer tokens (RFC 6750) through real sockets: global and per-stream tokens, the header and the
/// query forms, the 401 challenge, the ops routes, and a reload that removes a token.
@Suite("auth", .timeLimit(.minutes(1)))
struct AccessTests {
    static let files = ["app.json": #"{"a":1}"#, "secret.json": #"{"s":1}"#]
    static let streams = ["/config": "app.json", "/secret": "secret.json"]

    static func access(global: [String]? = ["global-token"], secret: [String]? = ["secret-token"], publicOps: Bool = false) -> AccessConfig {
        var access = AccessConfig()
        access.tokens = global.map(AccessTokens.init)
        if let secret { access.streamTokens["/secret"] = AccessTokens(secret) }
        access.publicOps = publicOps
        return access
    }

    /// The answer's head, once it has one.
    static func head(_ fixture: MirrorFixture, _ target: String, _ fields: String = "") async throws -> String {
        try await fixture.head("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(fields)\r\n")
    }

    @Test func aStreamWithTokensAnswers401WithAChallengeUntilOneIsPresented() async throws {
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams, access: Self.access())) { fixture in
            let none = try await Self.head(fixture, "/config")
            #expect(none.hasPrefix("HTTP/1.1 401 Unauthorized"))
            #expect(none.contains(#"WWW-Authenticate: Bearer realm="sse-mirror""#) && !none.contains("error="))
            let wrong = try await Self.head(fixture, "/config", "Authorization: Bearer guess\r\n")
            #expect(wrong.contains(#"WWW-Authenticate: Bearer realm="sse-mirror", error="invalid_token""#))
            #expect(try await Self.head(fixture, "/config", "Authorization: Bearer global-token\r\n").hasPrefix("HTTP/1.1 200 OK"))
            #expect(try await Self.head(fixture, "/config", "Authorization: bearer global-token\r\n").hasPrefix("HTTP/1.1 200 OK"))
            #expect(try await Self.head(fixture, "/config?access_token=global-token").hasPrefix("HTTP/1.1 200 OK"))
            // The JSON GET is the same resource: the same rule.
            #expect(try await Self.head(fixture, "/config", "Accept: application/json\r\n").hasPrefix("HTTP/1.1 401"))
            // An EventSource with the token in its URL gets its events.
            let client = try await fixture.subscribe("/config?access_token=global-token")
            try await client.waitFor("the document") { $0.count == 1 }
        }
    }

    /// The closures below say `async throws`: their only `try`s are inside #expect, which the
    /// inference of a closure's effects does not look into.
    @Test func perStreamTokensReplaceTheGlobalOnes() async throws {
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams, access: Self.access())) { fixture async throws in
            #expect(try await Self.head(fixture, "/secret", "Authorization: Bearer global-token\r\n").hasPrefix("HTTP/1.1 401"))
            #expect(try await Self.head(fixture, "/secret", "Authorization: Bearer secret-token\r\n").hasPrefix("HTTP/1.1 200"))
            #expect(try await Self.head(fixture, "/config", "Authorization: Bearer secret-token\r\n").hasPrefix("HTTP/1.1 401"))
        }
    }

    @Test func opsRoutesNeedTheGlobalTokensUnlessPublic() async throws {
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams, access: Self.access())) { closed in
            #expect(try await Self.head(closed, "/healthz").hasPrefix("HTTP/1.1 401"))
            #expect(try await Self.head(closed, "/healthz", "Authorization: Bearer secret-token\r\n").hasPrefix("HTTP/1.1 401"))
            #expect(try await Self.head(closed, "/healthz", "Authorization: Bearer global-token\r\n").hasPrefix("HTTP/1.1 200"))
            #expect(try await Self.head(closed, "/metrics").hasPrefix("HTTP/1.1 401"))
            #expect(try await Self.head(closed, "/metrics", "Authorization: Bearer global-token\r\n").hasPrefix("HTTP/1.1 200"))
            try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams, access: Self.access(publicOps: true))) { open async throws in
                #expect(try await Self.head(open, "/healthz").hasPrefix("HTTP/1.1 200"))
                #expect(try await Self.head(open, "/metrics").hasPrefix("HTTP/1.1 200"))
            }
        }
    }

    @Test func aReloadThatRemovesATokenEndsTheClientsThatUsedItOnly() async throws {
        try await withServer(MirrorFixture.start(
            files: Self.files, streams: Self.streams, access: Self.access(global: ["token-a", "token-b"], secret: nil)
        )) { fixture in
            let a = try await fixture.subscribe("/config?access_token=token-a")
            let b = try await fixture.subscribe("/config?access_token=token-b")
            for client in [a, b] { try await client.waitFor("the document") { $0.count == 1 } }
            var config = fixture.instance.current.now.config
            config.access.tokens = AccessTokens(["token-b", "token-c"])
            let plan = try await fixture.instance.reload(to: config)
            #expect(plan.keepsEveryStream)
            try await a.waitUntilClosed()
            #expect(a.text.hasSuffix("0\r\n\r\n"))
            try fixture.directory.write("app.json", #"{"a":2}"#)
            try await b.waitFor("the change") { $0.count == 2 }
            #expect(!b.isClosed)
            #expect(try await Self.head(fixture, "/config?access_token=token-a").hasPrefix("HTTP/1.1 401"))
            // Counted as revoked, not as a client that went away; the one left is still counted.
            let metrics = try await fixture.request("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer token-b\r\n\r\n")
            try await metrics.waitUntilClosed()
            let text = metrics.body
            #expect(text.contains(#"sse_mirror_disconnects_total{stream="/config",reason="token_revoked"} 1"#), "\(text)")
            #expect(fixture.hub().clientCount == 1)
        }
    }

    @Test func aStreamThatNeedsATokenAfterAReloadEndsItsAnonymousClients() async throws {
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams)) { fixture in
            let anonymous = try await fixture.subscribe("/config")
            try await anonymous.waitFor("the document") { $0.count == 1 }
            var config = fixture.instance.current.now.config
            config.access.tokens = AccessTokens(["token-a"])
            try await fixture.instance.reload(to: config)
            try await anonymous.waitUntilClosed()
        }
    }

    @Test func tokensMatchWholeAndOnlyAsWritten() {
        let tokens = AccessTokens(["alpha", "beta="])
        #expect(tokens.match("alpha") != nil && tokens.match("beta=") != nil)
        #expect(tokens.match("alph") == nil && tokens.match("alphaa") == nil && tokens.match("ALPHA") == nil && tokens.match("") == nil)
        #expect(tokens.match("alpha") != tokens.match("beta="))
        #expect("\(tokens)" == "2 tokens")
    }
}

import MirrorCore
import MirrorServer
import Testing

/// The CORS protocol (WHATWG Fetch §3.2) through real sockets.
@Suite("CORS", .timeLimit(.minutes(1)))
struct CORSTests {
    static func fixture(tokens: [String]? = nil) async throws -> MirrorFixture {
        var access = AccessConfig()
        access.corsOrigins = ["https://dash.example.com"]
        access.tokens = tokens.map(AccessTokens.init)
        return try await MirrorFixture.start(files: ["app.json": "{}"], access: access)
    }

    static func head(_ fixture: MirrorFixture, _ request: String) async throws -> String {
        try await fixture.head(request)
    }

    @Test func anAllowedOriginIsEchoedWithCredentialsOnTheStream() async throws {
        try await withServer(Self.fixture()) { fixture in
            let head = try await Self.head(fixture, "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://dash.example.com\r\nAccept: text/event-stream\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200 OK"))
            #expect(head.contains("Content-Type: text/event-stream"))
            #expect(head.contains("Access-Control-Allow-Origin: https://dash.example.com\r\n"))
            #expect(head.contains("Access-Control-Allow-Credentials: true"))
            #expect(head.contains("Vary: Origin"))
        }
    }

    @Test func anotherOriginIsAnsweredWithoutTheAllowHeaders() async throws {
        try await withServer(Self.fixture()) { fixture in
            let head = try await Self.head(fixture, "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nAccept: application/json\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200 OK"))
            #expect(!head.contains("Access-Control-Allow"))
            #expect(head.contains("Vary: Origin"))
        }
    }

    @Test func aPreflightIsAnsweredWithoutATokenAndNamesTheHeadersAPageMaySend() async throws {
        try await withServer(Self.fixture(tokens: ["t"])) { fixture in
            let request = "OPTIONS /config HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://dash.example.com\r\n"
                + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: last-event-id, authorization\r\n\r\n"
            let head = try await Self.head(fixture, request)
            #expect(head.hasPrefix("HTTP/1.1 204 No Content"))
            #expect(head.contains("Access-Control-Allow-Origin: https://dash.example.com"))
            #expect(head.contains("Access-Control-Allow-Headers: Last-Event-ID, Authorization"))
            #expect(head.contains("Access-Control-Allow-Methods: GET, HEAD, OPTIONS"))
            #expect(head.contains("Allow: GET, HEAD, OPTIONS"))
            // The 401 a cross-origin page gets still carries the CORS fields, so the page can read it.
            let refused = try await Self.head(fixture, "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://dash.example.com\r\n\r\n")
            #expect(refused.hasPrefix("HTTP/1.1 401") && refused.contains("Access-Control-Allow-Origin: https://dash.example.com"))
        }
    }

    @Test func aPreflightFromAnotherOriginGetsNoPermission() async throws {
        try await withServer(Self.fixture()) { fixture in
            let head = try await Self.head(fixture, "OPTIONS /config HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\n\r\n")
            #expect(!head.contains("Access-Control-Allow"))
        }
    }

    @Test func methodNotAllowedListsOptions() async throws {
        try await withServer(Self.fixture()) { fixture in
            let head = try await Self.head(fixture, "POST /config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 405") && head.contains("Allow: GET, HEAD, OPTIONS"))
        }
    }
}

import MirrorCore
import MirrorServer
import Testing

/// `GET /` and `GET /client.js` through real sockets (PROTOCOL.md, "The dashboard and client.js"):
/// their media types and caching fields, 304 on the entity tag, and no token needed with auth on.
/// What the page does in a browser is tested by Tests/Browser.
@Suite("dashboard: the page and client.js", .timeLimit(.minutes(1)))
struct DashboardTests {
    static let files = ["app.json": #"{"a":1}"#]

    func fetch(_ fixture: MirrorFixture, _ target: String, method: String = "GET", fields: String = "") async throws -> TestClient {
        let client = try await fixture.request("\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(fields)\r\n")
        try await client.waitUntilClosed()
        return client
    }

    /// The value of one header field of an answer.
    func field(_ name: String, in client: TestClient) -> String? {
        client.head?.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ": ") }
            .map { String($0.dropFirst(name.count + 2)) }
    }

    @Test(arguments: [
        ("/", "text/html; charset=utf-8", "<!doctype html>"),
        ("/?stream=/config&access_token=x", "text/html; charset=utf-8", "<!doctype html>"),
        ("/client.js", "text/javascript; charset=utf-8", "// sse-mirror client"),
    ])
    func servedWithTheirMediaTypeAndCachingFields(target: String, contentType: String, start: String) async throws {
        try await withServer(MirrorFixture.start(files: Self.files)) { fixture in
            let answer = try await fetch(fixture, target)
            #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(field("Content-Type", in: answer) == contentType)
            #expect(field("Cache-Control", in: answer) == "no-cache")
            #expect(field("X-Content-Type-Options", in: answer) == "nosniff")
            #expect(answer.body.hasPrefix(start))
            #expect(field("Content-Length", in: answer) == String(answer.body.utf8.count))
            let tag = try #require(field("ETag", in: answer))
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count == 22)

            let revalidated = try await fetch(fixture, target, fields: "If-None-Match: \(tag)\r\n")
            #expect(revalidated.text.hasPrefix("HTTP/1.1 304 Not Modified\r\n"))
            #expect(revalidated.body.isEmpty)
            let head = try await fetch(fixture, target, method: "HEAD")
            #expect(head.text.hasPrefix("HTTP/1.1 200 OK\r\n") && head.body.isEmpty)
            #expect(field("Content-Length", in: head) == String(answer.body.utf8.count))
        }
    }

    @Test func thePagesPolicyAllowsItsOwnInlineScriptAndStyleOnly() async throws {
        try await withServer(MirrorFixture.start(files: Self.files)) { fixture in
            let answer = try await fetch(fixture, "/")
            let policy = try #require(field("Content-Security-Policy", in: answer))
            #expect(policy.hasPrefix("default-src 'none'; script-src 'self' 'sha256-"))
            #expect(policy.contains("connect-src 'self'") && policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe"))
            #expect(field("Referrer-Policy", in: answer) == "no-referrer")
            // The page loads nothing from elsewhere: no absolute URL in a src or href.
            #expect(!answer.body.contains("src=\"http") && !answer.body.contains("href=\"http"))
            // Relative, so the page works behind a proxy prefix (examples/nginx).
            #expect(answer.body.contains(#"import { mirror, parsePointer, formatPointer } from "./client.js";"#))
        }
    }

    @Test func noTokenIsNeededForThePageOrClientJSWithAuthOn() async throws {
        var access = AccessConfig()
        access.tokens = AccessTokens(["a-token"])
        try await withServer(MirrorFixture.start(files: Self.files, access: access)) { fixture in
            // The page and client.js need none; what the page reads still needs one.
            for (target, fields, status) in [
                ("/", "", "HTTP/1.1 200 OK\r\n"), ("/client.js", "", "HTTP/1.1 200 OK\r\n"), ("/healthz", "", "HTTP/1.1 401"),
                ("/config", "Accept: application/json\r\n", "HTTP/1.1 401"), ("/healthz?access_token=a-token", "", "HTTP/1.1 200 OK\r\n"),
            ] {
                // Fetched outside #expect: a closure whose only `try` is inside a macro is inferred not to throw.
                let answer = try await fetch(fixture, target, fields: fields)
                #expect(answer.text.hasPrefix(status), "\(target)")
            }
        }
    }

    @Test func otherMethodsAre405() async throws {
        try await withServer(MirrorFixture.start(files: Self.files)) { fixture in
            for target in ["/", "/client.js"] {
                let answer = try await fetch(fixture, target, method: "POST", fields: "Content-Length: 0\r\n")
                #expect(answer.text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
                #expect(field("Allow", in: answer) == "GET, HEAD, OPTIONS")
            }
        }
    }
}

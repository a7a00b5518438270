import MirrorServer
import NIOCore
import Testing

/// The request head's bounds (RFC 9112 §3, RFC 6585 §5) and its time limit.
@Suite("request head limits", .timeLimit(.minutes(1)))
struct RequestLimitTests {
    static let document = #"{"a": 1}"#

    /// A request line past its bound is a 414 (the target is what makes it long), at once.
    @Test func overlongRequestLineIs414() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let target = "/config?" + String(repeating: "x", count: 9000)
            let client = try await fixture.request("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await client.waitForText(timeout: .seconds(3)) { $0.contains("\r\n\r\n") }
            #expect(client.text.hasPrefix("HTTP/1.1 414 URI Too Long\r\n"), "\(client.text.prefix(200))")
            // Also when the line has not ended yet: the client is not waited for.
            let partial = try await fixture.request("GET \(target)")
            try await partial.waitForText(timeout: .seconds(3)) { $0.contains("\r\n\r\n") }
            #expect(partial.text.hasPrefix("HTTP/1.1 414 URI Too Long\r\n"))
        }
    }

    /// Header fields past the head's bound are a 431; a head just under it is served.
    @Test func oversizedHeadIs431() async throws {
        try await withServer(MirrorFixture.start(
            files: ["app.json": Self.document],
            limits: ServerLimits(maximumHeadBytes: 16 * 1024)
        )) { fixture in
            let field = "X-Pad: " + String(repeating: "p", count: 1000) + "\r\n"
            let large = try await fixture.request("GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String(repeating: field, count: 20) + "\r\n")
            try await large.waitForText(timeout: .seconds(3)) { $0.contains("\r\n\r\n") }
            #expect(large.text.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "\(large.text.prefix(200))")
            #expect(large.events.isEmpty)
            let fits = try await fixture.request("GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String(repeating: field, count: 14) + "\r\n")
            try await fits.waitFor("the document") { $0.count == 1 }
            await fits.close()
        }
    }

    /// A slowloris client sends its head a byte at a time to hold the connection: the request
    /// timeout counts from the connection's start, and trickling bytes do not extend it.
    @Test func aByteByByteHeadCannotExtendTheRequestTimeout() async throws {
        try await withServer(MirrorFixture.start(
            files: ["app.json": Self.document],
            limits: ServerLimits(requestTimeout: .seconds(1))
        )) { fixture in
            let started = ContinuousClock.now
            let client = try await fixture.request("GET /config HTTP/1.1\r\n")
            var sent = 0
            while !client.isClosed, ContinuousClock.now - started < .seconds(10) {
                try? await client.send("X")
                sent += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            let elapsed = ContinuousClock.now - started
            #expect(client.isClosed)
            // Trickling would keep it open the whole 10 s if reads extended the 1 s timeout.
            #expect(elapsed < .seconds(5), "closed after \(elapsed), \(sent) bytes trickled in")
            #expect(client.text.isEmpty)
        }
    }
}

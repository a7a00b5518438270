import Glibc
import MirrorServer
import MirrorTestSupport
import NIOCore
import Testing

/// Clients that do odd but legal, or plainly wrong, things get a prompt answer and lose nothing.
@Suite("odd clients", .timeLimit(.minutes(1)))
struct HostileClientTests {
    static let document = #"{"a": 1}"#

    /// An HTTP/0.9 request has no version; the decoder would wait for one until the timeout.
    /// A TLS handshake or other binary noise is refused as soon as it cannot be a request line.
    @Test(arguments: [
        "GET /config\r\n", "GET /config\n", "GET\r\n", "GET  /config HTTP/1.1\r\n\r\n", "GET /config HTTP/1.1 x\r\n\r\n",
        "\u{16}\u{3}\u{1}\u{2}\u{0}\u{1}", "G(T /config HTTP/1.1\r\n\r\n",
    ])
    func requestLinesThatAreNotHTTP1AreAnswered400AtOnce(raw: String) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let started = ContinuousClock.now
            let client = try await fixture.request(raw)
            // Well short of the 10 s request timeout it would otherwise wait for, with room for the
            // whole suite running at once on two cores.
            try await client.waitUntilClosed(timeout: .seconds(6))
            #expect(client.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(client.text)")
            #expect(ContinuousClock.now - started < .seconds(6))
        }
    }

    /// Empty lines before the request line are skipped (RFC 9112 §2.2), and a line split over
    /// several packets is put back together.
    @Test func leadingEmptyLinesAndSplitRequestLines() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.request("\r\nGET /con")
            try await Task.sleep(for: .milliseconds(100))
            try await client.send("fig HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await client.waitFor("the document") { $0.count == 1 }
            await client.close()
        }
    }

    /// A POST that waits for `100 Continue` before sending its body gets its 405 at once.
    @Test func expectContinueWithoutBodyIsAnsweredAtOnce() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let started = ContinuousClock.now
            let client = try await fixture.request("POST /config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
            try await client.waitForText(timeout: .seconds(3)) { $0.contains("\r\n\r\n") }
            #expect(client.text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    /// A refused request with a body in flight gets its answer whole. (The server answers at the
    /// head, then drains the body while lingering; on Linux loopback an immediate close happens to
    /// deliver the answer too, so this guards the answer, not the linger itself.)
    @Test func aRefusedRequestBodyDoesNotResetTheAnswer() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let body = String(repeating: "x", count: 1 << 20)
            let socket = try await RawSocket.connect(
                port: fixture.port,
                request: "POST /config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body,
                receiveBuffer: 64 * 1024
            )
            defer { socket.close() }
            try await Task.sleep(for: .milliseconds(300))
            // Everything until the server closes (the guard only bounds a server that never does).
            let received = await socket.receive(seconds: 30) { _ in false }
            let text = String(decoding: received, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(text.hasSuffix("Method Not Allowed\n"))
        }
    }

    /// Half-closing after the request (`shutdown(SHUT_WR)`) is not leaving: the stream goes on.
    @Test func halfClosedClientsKeepTheirStream() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the document") { $0.count == 1 }
            try await client.shutdownOutput()
            try await Task.sleep(for: .milliseconds(200))
            try fixture.directory.write("app.json", #"{"a": 2}"#)
            let events = try await client.waitFor("the change after half-closing") { $0.count == 2 }
            #expect(events[1].data == #"{"a":2}"#)
            #expect(!client.isClosed)
            #expect(await fixture.servedClients() == 1)
            await client.close()
        }
    }

    /// A heartbeat must never cut a client that is still reading a big document: it is skipped
    /// while bytes are queued. And one event larger than the bound reaches a client whose queue
    /// was empty.
    @Test func heartbeatsDoNotDropASlowReaderOfABigDocument() async throws {
        let big = "{\"pad\": \"" + String(repeating: "x", count: 12 << 20) + "\"}"
        try await withServer(MirrorFixture.start(
            files: ["app.json": big],
            heartbeat: .milliseconds(50),
            limits: ServerLimits(maximumQueuedBytes: 256 * 1024)
        )) { fixture in
            let reader = try await RawSocket.connect(port: fixture.port, request: "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", receiveBuffer: 64 * 1024)
            defer { reader.close() }
            // Larger than the kernel's send buffer (up to 4 MiB), read slowly: bytes stay queued in the
            // server for seconds, over dozens of heartbeats. The reader is a thread of its own, so its
            // blocking reads and pauses hold no thread of the test pool.
            let descriptor = reader.descriptor
            let received = await offPool { () -> [UInt8] in
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let deadline = ContinuousClock.now.advanced(by: .seconds(40))
                while ContinuousClock.now < deadline {
                    let count = Glibc.read(descriptor, &buffer, buffer.count)
                    if count < 0 && errno == EAGAIN { continue }
                    if count <= 0 { break }
                    received += buffer[..<count]
                    if String(decoding: received.suffix(64 * 1024), as: UTF8.self).contains("\"}\n\n") { break }
                    usleep(5_000)
                }
                return received
            }
            let text = String(decoding: received, as: UTF8.self)
            #expect(text.contains("\"}\n\n"), "got \(received.count) bytes before the server closed")
            #expect(await fixture.servedClients() == 1)
        }
    }
}

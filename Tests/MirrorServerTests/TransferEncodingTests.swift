import Testing

/// A request's body framing (RFC 9112 §6): a transfer coding this server does not implement is
/// `501`, framing it cannot trust is `400`, and either way the connection closes after the answer.
@Suite("transfer codings of a request", .timeLimit(.minutes(1)))
struct TransferEncodingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let fields: String
        var version = "HTTP/1.1"
        let status: String
        var testDescription: String { "\(version) \(fields.replacingOccurrences(of: "\r\n", with: " | ")) → \(status)" }
    }

    static let cases: [Case] = [
        Case(fields: "Transfer-Encoding: xchunked", status: "501 Not Implemented"),
        Case(fields: "Transfer-Encoding: gzip, chunked", status: "501 Not Implemented"),
        Case(fields: "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked", status: "501 Not Implemented"),
        Case(fields: "Transfer-Encoding: identity", status: "501 Not Implemented"),
        Case(fields: "Transfer-Encoding: chunked;ext=1", status: "501 Not Implemented"),
        Case(fields: "Transfer-Encoding: chunked, gzip", status: "400 Bad Request"),
        Case(fields: "Transfer-Encoding: chunked, chunked", status: "400 Bad Request"),
        Case(fields: "Transfer-Encoding: chunked\r\nContent-Length: 5", status: "400 Bad Request"),
        Case(fields: "Transfer-Encoding: chunked", version: "HTTP/1.0", status: "400 Bad Request"),
        Case(fields: "Transfer-Encoding: xchunked", version: "HTTP/1.0", status: "400 Bad Request"),
        // What the server reads: chunked alone, in any case.
        Case(fields: "Transfer-Encoding: chunked", status: "200 OK"),
        Case(fields: "Transfer-Encoding: Chunked", status: "200 OK"),
    ]

    @Test(arguments: cases)
    func answersAndCloses(_ item: Case) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"a": 1}"#])) { fixture in
            let request = "GET /config \(item.version)\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\(item.fields)\r\n\r\n0\r\n\r\n"
            let socket = try await RawSocket.connect(port: fixture.port, request: request, receiveBuffer: 64 * 1024)
            defer { socket.close() }
            let started = ContinuousClock.now
            // Until the server closes: the answer, then its FIN (the read returns at the end of input).
            let answer = String(decoding: socket.read(seconds: 10) { _ in false }, as: UTF8.self)
            #expect(answer.hasPrefix("\(item.version == "HTTP/1.0" ? "HTTP/1.0" : "HTTP/1.1") \(item.status)\r\n"), "\(answer.prefix(300))")
            #expect(answer.contains("\r\nConnection: close\r\n"), "\(answer.prefix(300))")
            #expect(ContinuousClock.now - started < .seconds(8), "the connection stayed open after the answer")
        }
    }
}

import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A raw TCP client: sends a request as bytes and keeps every byte of the answer, so tests can
/// check the wire format exactly and parse it the way a browser would.
final class TestClient: Sendable {
    private let channel: any Channel
    private let inbox: Inbox
    private let parser = Mutex(ReceivedEventParser())

    /// What the connection has received; filled on the channel's loop, read by the test.
    private final class Inbox: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex<[UInt8]>([])
        let closed = Mutex(false)

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLock { $0 += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.withLock { $0 = true }
        }
    }

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    static func connect(host: String = "127.0.0.1", port: Int, group: any EventLoopGroup, request: String) async throws -> TestClient {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(inbox) }
            }
            .connect(host: host, port: port)
            .get()
        try await channel.writeAndFlush(ByteBuffer(string: request))
        return TestClient(channel: channel, inbox: inbox)
    }

    /// The head of the answer to `request`, once it is whole. The connection is closed, and the
    /// close awaited, whether the head came or the wait timed out.
    static func head(of request: String, host: String = "127.0.0.1", port: Int, group: any EventLoopGroup) async throws -> String {
        let client = try await connect(host: host, port: port, group: group, request: request)
        do {
            try await client.waitForText { $0.contains("\r\n\r\n") }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        return client.head ?? ""
    }

    /// `GET path` as an EventSource sends it.
    static func subscribe(
        host: String = "127.0.0.1",
        port: Int,
        group: any EventLoopGroup,
        path: String,
        version: String = "HTTP/1.1",
        lastEventID: String? = nil
    ) async throws -> TestClient {
        let resume = lastEventID.map { "Last-Event-ID: \($0)\r\n" } ?? ""
        return try await connect(
            host: host,
            port: port,
            group: group,
            request: "GET \(path) \(version)\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\(resume)\r\n"
        )
    }

    /// Decoded outside the lock (taking the bytes only retains them), so a test that looks at a
    /// long stream never holds up the loop that reads it, and the server never sees a slow client.
    var text: String {
        let bytes = inbox.received.withLock { $0 }
        return String(decoding: bytes, as: UTF8.self)
    }
    var isClosed: Bool { inbox.closed.withLock { $0 } }

    /// The response head, up to the blank line.
    var head: String? {
        let all = text
        guard let end = all.range(of: "\r\n\r\n") else { return nil }
        return String(all[..<end.lowerBound])
    }

    /// The body with chunked framing removed when the head says chunked.
    var body: String {
        let all = text
        guard let end = all.range(of: "\r\n\r\n") else { return "" }
        let raw = String(all[end.upperBound...])
        guard head?.lowercased().contains("transfer-encoding: chunked") == true else { return raw }
        return Self.dechunk(raw)
    }

    static func dechunk(_ raw: String) -> String {
        var bytes = Array(raw.utf8)[...]
        var out: [UInt8] = []
        while let lineEnd = bytes.firstRange(of: [13, 10]) {
            guard let size = Int(String(decoding: bytes[..<lineEnd.lowerBound], as: UTF8.self), radix: 16) else { break }
            let start = lineEnd.upperBound
            guard size > 0, bytes.distance(from: start, to: bytes.endIndex) >= size + 2 else { break }
            out += bytes[start..<start + size]
            bytes = bytes[(start + size + 2)...]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The events dispatched so far, parsed by the WHATWG rules (comments and `retry:` dispatch
    /// nothing). Only the bytes that arrived since the last call are parsed, and only they are
    /// copied out of the inbox, so polling a long stream stays cheap for the test and the loop.
    var events: [ReceivedEvent] {
        parser.withLock { parser in
            let offset = parser.consumed
            let new = inbox.received.withLock { $0.count > offset ? Array($0[offset...]) : [] }
            if !new.isEmpty { parser.feed(new[...]) }
            return parser.events
        }
    }

    /// Waits until the events satisfy `condition`, failing the test after `timeout`: by default a
    /// guard against events that never come, not the time they are expected to take.
    @discardableResult
    func waitFor(
        _ what: String,
        timeout: Duration = .seconds(30),
        sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: ([ReceivedEvent]) -> Bool
    ) async throws -> [ReceivedEvent] {
        if try await poll(timeout: timeout, { condition(self.events) }) { return self.events }
        let events = self.events
        let last = events.suffix(3).map { String($0.description.prefix(300)) }
        Issue.record("timed out waiting for \(what); got \(events.count) events, the last: \(last)", sourceLocation: sourceLocation)
        throw TimeoutError()
    }

    /// The answers and closes these two wait for are expected at once, well before the server's
    /// own 10 s request timeout would close a connection anyway: their 5 s default stays below it.
    func waitForText(timeout: Duration = .seconds(5), _ condition: (String) -> Bool) async throws {
        guard try await poll(timeout: timeout, { condition(text) }) else { throw TimeoutError() }
    }

    func waitUntilClosed(timeout: Duration = .seconds(5)) async throws {
        guard try await poll(timeout: timeout, { isClosed }) else { throw TimeoutError() }
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Sends FIN and keeps reading: a half-closed client (RFC 9112 §9.6).
    func shutdownOutput() async throws {
        try await channel.close(mode: .output)
    }

    func close() async {
        try? await channel.close()
    }
}

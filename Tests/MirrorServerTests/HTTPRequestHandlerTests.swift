import Logging
import MirrorCore
@testable import MirrorServer
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The HTTP phase of a connection on an `EmbeddedChannel`, with the pipeline every connection
/// starts with: what goes out for a request, and what the handler does with each kind of
/// ``Answer`` (write it, park it, hand over to a stream). Real sockets: HTTPTests and its neighbours.
@Suite("HTTP request handler without sockets")
struct HTTPRequestHandlerTests {
    /// The `/config` stream's server, with a connection open to it.
    struct Connection {
        let channel: EmbeddedChannel
        let hub: StreamHub

        init(limits: ServerLimits = ServerLimits(), maxClients: Int? = nil) throws {
            let stream = StreamConfig(path: "/config", watch: "app.json", watchPath: "/nowhere/app.json", format: .json)
            let config = MirrorConfig(streams: [stream], file: "/nowhere/mirror.yaml", baseDirectory: "/nowhere")
            hub = StreamHub(path: "/config", maxClients: maxClients)
            let logger = Logger(label: "test")
            let shared = HTTPRequestHandler.Shared(
                current: CurrentServingState(ServingState(config: config, hubs: [hub])), head: SSEResponseHead(),
                retry: SSEEncoder().encodeRetry(milliseconds: 2000), limits: limits,
                admission: ClientAdmission(maximumClients: limits.maximumClients), metrics: MirrorMetrics(), logger: logger
            )
            channel = EmbeddedChannel()
            // As MirrorListener builds it, TLS aside.
            let encoder = HTTPResponseEncoder()
            let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(RequestLineGuard(limits: limits, logger: logger))
            try sync.addHandler(encoder)
            try sync.addHandler(decoder)
            try sync.addHandler(HTTPRequestHandler(shared: shared, encoder: encoder, decoder: decoder))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        }

        func send(_ request: String) throws {
            try channel.writeInbound(ByteBuffer(string: request))
        }

        func get(_ path: String, _ fields: String = "") throws {
            try send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(fields)\r\n")
        }

        var written: String {
            get throws { try channel.writtenText() }
        }

        func publish(_ version: UInt64, whole: Bool = true) {
            let encoder = SSEEncoder()
            let id = EventID(run: "r", version: version)
            if whole {
                let event = encoder.encode(.changed(id: id, document: Array("{\"v\":\(version)}".utf8)), sequence: hub.nextSequence())
                hub.publish([.version(event, state: event)])
            } else {
                let patch = encoder.encode(.patch(id: id, operations: Array(#"[{"op":"replace","path":"/v","value":2}]"#.utf8)), sequence: hub.nextSequence())
                hub.publish([.version(patch, state: nil)])
            }
        }

        func settle(_ version: UInt64) {
            let id = EventID(run: "r", version: version)
            hub.settle(SSEEncoder().encode(.changed(id: id, document: Array("{\"v\":\(version)}".utf8)), sequence: hub.nextSequence()))
        }
    }

    /// A plain answer, then the close (an `EmbeddedChannel` closes whole where a socket shuts its
    /// output and lingers: that part is HostileClientTests').
    @Test func aPlainAnswerThenTheClose() throws {
        let connection = try Connection()
        try connection.get("/nope")
        let text = try connection.written
        #expect(text.hasPrefix("HTTP/1.1 404 Not Found\r\n") && text.contains("\r\nConnection: close\r\n") && text.hasSuffix("\r\n\r\nNot Found\n"), "\(text)")
        connection.channel.embeddedEventLoop.advanceTime(by: ServerLimits().lingerTimeout)
        #expect(!connection.channel.isActive)
    }

    /// A stream: the head and `retry:` as raw bytes, then the pipeline is the stream's handler alone.
    @Test func aStreamTakesOverThePipeline() throws {
        let connection = try Connection()
        connection.publish(1)
        try connection.get("/config")
        let head = try connection.written
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"), "\(head)")
        #expect(head.contains("retry: 2000\n") && head.contains("id: r-1\n"))
        let pipeline = connection.channel.pipeline.syncOperations
        #expect(throws: Never.self) { try pipeline.handler(type: SSEConnectionHandler.self) }
        #expect(throws: (any Error).self) { try pipeline.handler(type: HTTPRequestHandler.self) }
        #expect(connection.hub.clientCount == 1)
        connection.publish(2)
        connection.channel.embeddedEventLoop.run()
        #expect(try connection.written.contains("id: r-2\n"))
    }

    /// No room: a 200 stream that only sets `retry:` and ends (``OverLimitStream``).
    @Test func aStreamWithNoRoomGetsRetryAndEnds() throws {
        let connection = try Connection(limits: ServerLimits(overLimitRetry: .seconds(5)...(.seconds(5))), maxClients: 0)
        try connection.get("/config")
        let text = try connection.written
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.contains("retry: 5000\n") && text.hasSuffix("0\r\n\r\n"), "\(text)")
        #expect(connection.hub.clientCount == 0)
    }

    /// A JSON GET between a patch and its document waits, then gets the document the patch led to.
    @Test func aJSONGetWaitsForTheSettle() throws {
        let connection = try Connection()
        connection.publish(1)
        connection.publish(2, whole: false)
        try connection.get("/config", "Accept: application/json\r\n")
        #expect(try connection.written.isEmpty)
        connection.settle(2)
        connection.channel.embeddedEventLoop.run()
        let text = try connection.written
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.contains("\r\nETag: \"r-2\"\r\n") && text.hasSuffix("{\"v\":2}"), "\(text)")
    }

    @Test func aJSONGetThatWaitsTooLongIsServiceUnavailable() throws {
        let connection = try Connection()
        connection.publish(1)
        connection.publish(2, whole: false)
        try connection.get("/config", "Accept: application/json\r\n")
        connection.channel.embeddedEventLoop.advanceTime(by: HTTPRequestHandler.settleTimeout)
        let text = try connection.written
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") && text.contains("\r\nRetry-After: 1\r\n"), "\(text)")
        // The wait was taken back: a settle now answers nothing more.
        connection.settle(2)
        connection.channel.embeddedEventLoop.run()
        #expect(try connection.written.isEmpty)
    }

    /// A client that leaves while its GET is parked: the settle finds nothing to answer.
    @Test func aParkedGetWhoseClientLeft() throws {
        let connection = try Connection()
        connection.publish(1)
        connection.publish(2, whole: false)
        try connection.get("/config", "Accept: application/json\r\n")
        try connection.channel.close().wait()
        connection.settle(2)
        connection.channel.embeddedEventLoop.run()
        #expect(try connection.written.isEmpty)
    }

    /// What NIO's parser refuses is a 400 too (RFC 9110 §15.5.1).
    @Test func aMalformedHeadIsBadRequest() throws {
        let connection = try Connection()
        try connection.send("GET /config HTTP/1.1\r\nHost localhost\r\n\r\n")
        #expect(try connection.written.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
    }

    /// Before any head: ``RequestLineGuard``'s 400 (not HTTP/1.x), 414 (RFC 9112 §3) and 431 (RFC 6585 §5).
    @Test(arguments: [
        ("GET /config\r\n\r\n", "400 Bad Request"),
        ("GET /" + String(repeating: "x", count: 100) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", "414 URI Too Long"),
        ("GET /config HTTP/1.1\r\nHost: localhost\r\nX-Big: " + String(repeating: "y", count: 300) + "\r\n\r\n", "431 Request Header Fields Too Large"),
    ])
    func refusedBeforeTheHead(request: String, status: String) throws {
        let connection = try Connection(limits: ServerLimits(maximumRequestLineBytes: 64, maximumHeadBytes: 256))
        try connection.send(request)
        let text = try connection.written
        #expect(text.hasPrefix("HTTP/1.1 \(status)\r\n"), "\(text)")
    }
}

extension EmbeddedChannel {
    /// Everything written to the channel so far and not read yet, as text.
    func writtenText() throws -> String {
        var text = ""
        while let buffer = try readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }
}

import Logging
@testable import MirrorCore
@testable import MirrorServer
import NIOCore
import NIOEmbedded
import Testing

/// ``SSEConnectionHandler`` on an `EmbeddedChannel`: what it writes, when it closes, and that a
/// connection that went away writes nothing and gives its place back once. (The real-socket
/// tests, SlowClientTests and HTTPTests, prove the same wiring on the binary's pipeline.)
@Suite("SSE connection handler without sockets")
struct SSEConnectionHandlerStateTests {
    static let logger = Logger(label: "test")

    /// A connected channel whose pipeline is the stream's handler alone, as after the HTTP phase.
    static func stream(
        _ hub: StreamHub, credential: [UInt8]? = nil, chunked: Bool = true, limits: ServerLimits = ServerLimits()
    ) throws -> (EmbeddedChannel, SSEConnectionHandler) {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        let slot = try #require(ClientAdmission(maximumClients: nil).admit(to: [hub]))
        let handler = SSEConnectionHandler(
            streams: .one(hub, lastEventID: nil, credential: credential), chunked: chunked, slot: slot, limits: limits, logger: logger
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        return (channel, handler)
    }

    static func publish(_ version: UInt64, to hub: StreamHub) {
        let event = SSEEncoder().encode(.changed(id: EventID(run: "r", version: version), document: Array("{\"v\":\(version)}".utf8)), sequence: hub.nextSequence())
        hub.publish([.version(event, state: event)])
    }

    /// Bytes the kernel has not taken: written, never flushed (EmbeddedChannel counts them as queued).
    static func queue(_ count: Int, on channel: EmbeddedChannel) {
        channel.pipeline.write(ByteBuffer(repeating: 0x2E, count: count), promise: nil)
    }

    static func becomeUnwritable(_ channel: EmbeddedChannel) {
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
    }

    @Test func theCurrentStateThenEachEventIsWritten() throws {
        let hub = StreamHub(path: "/config")
        Self.publish(1, to: hub)
        let (channel, _) = try Self.stream(hub)
        #expect(try channel.writtenText().contains("id: r-1\n"))
        Self.publish(2, to: hub)
        channel.embeddedEventLoop.run()
        let second = try channel.writtenText()
        // One chunk per event (RFC 9112 §7.1): its size line, the event, its end.
        #expect(second.contains("\r\nevent: changed\n"), "\(second)")
        #expect(second.contains("id: r-2\n") && second.hasSuffix("\n\n\r\n"))
        #expect(hub.clientCount == 1)
    }

    @Test func anHTTP10StreamHasNoChunks() throws {
        let hub = StreamHub(path: "/config")
        let (channel, _) = try Self.stream(hub, chunked: false)
        Self.publish(1, to: hub)
        channel.embeddedEventLoop.run()
        #expect(try channel.writtenText().hasPrefix("event: changed\n"))
    }

    /// A heartbeat goes to an idle client; one with bytes queued skips it (those keep proxies awake).
    @Test func heartbeats() throws {
        let hub = StreamHub(path: "/config")
        let (channel, _) = try Self.stream(hub)
        let comment = SSEEncoder().encodeComment("heartbeat")
        hub.subscribers(on: channel.eventLoop)?.heartbeat(comment)
        #expect(try channel.writtenText().contains(": heartbeat\n"))
        Self.queue(10, on: channel)
        hub.subscribers(on: channel.eventLoop)?.heartbeat(comment)
        #expect(try channel.writtenText().isEmpty)
        #expect(channel.isActive)
    }

    /// More than the bound queued when an event comes: closed, off the hub, its place given back.
    @Test func aSlowClientIsClosedAtTheNextEvent() throws {
        let hub = StreamHub(path: "/config", maxClients: 1)
        let (channel, _) = try Self.stream(hub, limits: ServerLimits(maximumQueuedBytes: 64))
        Self.queue(65, on: channel)
        Self.becomeUnwritable(channel)
        #expect(channel.isActive && hub.clients.count == 1)
        Self.publish(1, to: hub)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(hub.clientCount == 0 && hub.clients.count == 0)
        #expect(try !channel.writtenText().contains("event: changed"))
    }

    /// Within the bound the event is written, however unwritable the channel says it is.
    @Test func aClientWithinTheBoundGetsTheEvent() throws {
        let hub = StreamHub(path: "/config")
        let (channel, _) = try Self.stream(hub, limits: ServerLimits(maximumQueuedBytes: 64))
        Self.queue(64, on: channel)
        Self.becomeUnwritable(channel)
        Self.publish(1, to: hub)
        channel.embeddedEventLoop.run()
        let text = try channel.writtenText()
        #expect(channel.isActive && text.contains("event: changed"))
    }

    /// Bytes queued and none taken for the write timeout: closed, on the loop's clock.
    @Test func aStalledClientIsClosedAfterTheWriteTimeout() throws {
        let hub = StreamHub(path: "/config", maxClients: 1)
        let (channel, _) = try Self.stream(hub, limits: ServerLimits(writeTimeout: .seconds(4)))
        Self.queue(10, on: channel)
        Self.becomeUnwritable(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive && hub.clientCount == 0 && hub.clients.count == 0)
    }

    /// A reload that removes the token ends exactly the streams let in with it, cleanly: the last
    /// chunk, then the close.
    @Test func aRevokedTokenEndsItsStreams() throws {
        let hub = StreamHub(path: "/config", maxClients: 2)
        let revoked: [UInt8] = [1, 2, 3]
        let (gone, _) = try Self.stream(hub, credential: revoked)
        let (kept, _) = try Self.stream(hub, credential: [4, 5, 6])
        _ = try gone.writtenText()
        let holdsRevoked: (any EventSink) -> Bool = { ($0 as? any TokenHolder)?.credential == revoked }
        #expect(hub.subscribers(on: kept.eventLoop)?.finish(where: holdsRevoked) == 0)
        #expect(hub.subscribers(on: gone.eventLoop)?.finish(where: holdsRevoked) == 1)
        #expect(try gone.writtenText() == "0\r\n\r\n")
        #expect(!gone.isActive && kept.isActive)
        #expect(hub.clients.count == 1)
    }

    /// After the channel goes, nothing is written and nothing is given back twice.
    @Test func afterTheChannelGoesInactive() throws {
        let hub = StreamHub(path: "/config", maxClients: 1)
        let (channel, handler) = try Self.stream(hub)
        try channel.close().wait()
        #expect(hub.clientCount == 0 && hub.clients.count == 0)
        #expect(hub.subscribers(on: channel.eventLoop)?.count ?? 0 == 0)
        Self.publish(1, to: hub)
        channel.embeddedEventLoop.run()
        handler.receive(SSEEncoder().encodeComment("late"))
        handler.receiveHeartbeat(SSEEncoder().encodeComment("heartbeat"))
        handler.finish()
        #expect(try channel.writtenText().isEmpty)
        #expect(hub.clients.count == 0)
    }

    /// A multiplexed connection: each stream's events framed with its path and the composite id.
    @Test func aMultiplexedConnectionFramesEachStream() throws {
        let (a, b) = (StreamHub(path: "/a"), StreamHub(path: "/b"))
        Self.publish(1, to: a)
        let channel = try Self.multiplexed([a, b])
        #expect(try channel.writtenText().contains("event: /a changed\n"))
        Self.publish(4, to: b)
        channel.embeddedEventLoop.run()
        let text = try channel.writtenText()
        #expect(text.contains("event: /b changed\n") && text.contains("id: "), "\(text)")
        #expect(a.clientCount == 1 && b.clientCount == 1)
        try channel.close().wait()
        #expect(a.clientCount == 0 && b.clientCount == 0)
    }

    /// A client found too slow while the first stream's state is written is closed before the
    /// next stream is subscribed: no stream keeps a subscriber whose connection is gone.
    @Test func aSlowClientClosedDuringTheReplayJoinsNoFurtherStream() throws {
        let (a, b) = (StreamHub(path: "/a", maxClients: 1), StreamHub(path: "/b", maxClients: 1))
        Self.publish(1, to: a)
        Self.publish(1, to: b)
        let channel = try Self.multiplexed([a, b], limits: ServerLimits(maximumQueuedBytes: 8)) { channel in
            Self.queue(9, on: channel)
            channel.isWritable = false
        }
        #expect(!channel.isActive)
        #expect(a.clientCount == 0 && b.clientCount == 0 && a.clients.count == 0 && b.clients.count == 0)
    }

    static func multiplexed(
        _ hubs: [StreamHub], limits: ServerLimits = ServerLimits(), before: (EmbeddedChannel) -> Void = { _ in }
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        before(channel)
        let streams = MultiplexedStreams(hubs: hubs, credentials: hubs.map { _ in nil }, lastEventID: nil)
        let slot = try #require(ClientAdmission(maximumClients: nil).admit(to: hubs))
        let handler = SSEConnectionHandler(streams: .multiplexed(streams), chunked: true, slot: slot, limits: limits, logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
        return channel
    }

    /// A half-close is not the end: an empty comment probes whether the peer is still there.
    @Test func endOfInputProbesAndKeepsStreaming() throws {
        let hub = StreamHub(path: "/config")
        let (channel, _) = try Self.stream(hub)
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try channel.writtenText() == "3\r\n:\n\n\r\n")
        #expect(channel.isActive && hub.clientCount == 1)
    }
}

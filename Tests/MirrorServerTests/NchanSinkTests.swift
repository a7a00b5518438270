import Logging
import MirrorCore
@testable import MirrorServer
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
import MirrorDocument

/// The publish sink against a stand-in for nchan's publisher location (a real socket, NIO's HTTP
/// server codec): what a POST carries, whole states only, and an outage that ends with the
/// newest state and no backlog. The real nginx + nchan + Redis deployment is
/// `Tests/integration/nchan_scale.py`.
@Suite("Publish sink", .timeLimit(.minutes(1)))
struct NchanSinkTests {
    let encoder = SSEEncoder()

    func changed(_ hub: StreamHub, _ version: UInt64) -> EncodedEvent {
        encoder.encode(.changed(id: EventID(run: "r", version: version), document: Array("{\"seq\":\(version)}".utf8)), sequence: hub.nextSequence())
    }

    @Test func postsWholeStatesWithTheirEventNames() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let hub = FakeHub()
        let channel = try await hub.bind(on: group)
        let target = try PublishTarget(parsing: "http://user:pw@127.0.0.1:\(channel.localAddress!.port!)/pub/{stream}")
        let sinks = PublishSinks(group: group, factory: MirrorMetrics().factory, logger: Logger(label: "test"))
        var config = PublishConfig()
        config.global = target
        let stream = StreamHub(path: "/ci/config")
        stream.publish([.version(changed(stream, 1), state: changed(stream, 1))])
        sinks.apply(config, hubs: [stream])
        try await hub.waitFor { $0.count == 1 }
        // A patch stream: the delta is not published, the whole state settled after it is.
        let patch = encoder.encode(.patch(id: EventID(run: "r", version: 2), operations: Array("[]".utf8)), sequence: stream.nextSequence())
        stream.publish([.version(patch, state: nil)])
        stream.settle(changed(stream, 2))
        // (Waited for: a newer state published before this one is sent would replace it.)
        try await hub.waitFor { $0.count == 2 }
        let removed = encoder.encode(.removed(id: EventID(run: "r", version: 3), watch: "config.json"), sequence: stream.nextSequence())
        stream.publish([.version(removed, state: removed), .invalid(encoder.encode(.invalid(DocumentError(line: nil, column: nil, message: "x")), sequence: stream.nextSequence()))])
        let posts = try await hub.waitFor { $0.count == 3 }
        #expect(posts.map(\.uri) == ["/pub/ci/config", "/pub/ci/config", "/pub/ci/config"])
        #expect(posts.map(\.event) == ["changed", "changed", "removed"])
        #expect(posts.map(\.body) == ["{\"seq\":1}", "{\"seq\":2}", "{\"path\":\"config.json\"}"])
        #expect(posts.allSatisfy { $0.contentType == "application/json" && $0.authorization == "Basic dXNlcjpwdw==" })
        #expect(hub.connections.load(ordering: .relaxed) == 1, "one keep-alive connection")
        await sinks.stop()
        try await channel.close()
        try await group.shutdownGracefully()
    }

    @Test func anOutageEndsOnTheNewestStateWithoutABacklog() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let hub = FakeHub()
        hub.failing.store(true, ordering: .relaxed)
        let channel = try await hub.bind(on: group)
        var config = PublishConfig()
        config.global = try PublishTarget(parsing: "http://127.0.0.1:\(channel.localAddress!.port!)/pub/{stream}")
        let metrics = MirrorMetrics()
        let sinks = PublishSinks(group: group, factory: metrics.factory, logger: Logger(label: "test"))
        let streams = [StreamHub(path: "/a"), StreamHub(path: "/b")]
        for stream in streams { stream.publish([.version(changed(stream, 1), state: changed(stream, 1))]) }
        sinks.apply(config, hubs: streams)
        for version in 2...200 as ClosedRange<UInt64> {
            let state = changed(streams[0], version)
            streams[0].publish([.version(state, state: state)])
        }
        try await hub.waitFor { $0.count >= 3 }  // 503s, retried
        hub.failing.store(false, ordering: .relaxed)
        let posts = try await hub.waitFor { posts in posts.contains { $0.uri == "/pub/a" && $0.body == "{\"seq\":200}" && $0.status == 202 } }
        let accepted = posts.filter { $0.status == 202 }
        #expect(accepted.filter { $0.uri == "/pub/a" }.count == 1, "only the newest of /a: \(accepted.map(\.body))")
        _ = try await hub.waitFor { posts in posts.contains { $0.uri == "/pub/b" && $0.status == 202 } }
        var exposition: [UInt8] = []
        metrics.registry.emit(into: &exposition)
        let text = String(decoding: exposition, as: UTF8.self)
        #expect(text.contains("sse_mirror_publish_dropped_total{target=\"http://127.0.0.1:"), "\(text)")
        await sinks.stop()
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

extension NchanSinkTests {
    @Test func aRefusedStateIsDroppedAndTheNextOneGoes() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let hub = FakeHub()
        hub.refusing.store(true, ordering: .relaxed)
        let channel = try await hub.bind(on: group)
        var config = PublishConfig()
        config.global = try PublishTarget(parsing: "http://127.0.0.1:\(channel.localAddress!.port!)/pub/{stream}")
        let metrics = MirrorMetrics()
        let sinks = PublishSinks(group: group, factory: metrics.factory, logger: Logger(label: "test"))
        let stream = StreamHub(path: "/big")
        stream.publish([.version(changed(stream, 1), state: changed(stream, 1))])
        sinks.apply(config, hubs: [stream])
        try await hub.waitFor { $0.count == 1 }
        hub.refusing.store(false, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(300))
        #expect(hub.posts.withLock { $0.count } == 1, "a refused state is not retried")
        stream.publish([.version(changed(stream, 2), state: changed(stream, 2))])
        let posts = try await hub.waitFor { $0.count == 2 }
        #expect(posts.map(\.status) == [413, 202] && posts[1].body == "{\"seq\":2}")
        var exposition: [UInt8] = []
        metrics.registry.emit(into: &exposition)
        let text = String(decoding: exposition, as: UTF8.self)
        #expect(text.contains("sse_mirror_publish_dropped_total{target=\"http://127.0.0.1:\(channel.localAddress!.port!)/pub/{stream}\"} 1"), "\(text)")
        #expect(text.contains("sse_mirror_publish_sent_total{target=\"http://127.0.0.1:\(channel.localAddress!.port!)/pub/{stream}\"} 1"), "\(text)")
        await sinks.stop()
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

/// What nchan's publisher location looks like from the sink: records each POST and answers 202,
/// or 503 while `failing`.
final class FakeHub: Sendable {
    struct Post: Sendable {
        var uri: String
        var event: String?
        var contentType: String?
        var authorization: String?
        var body: String
        var status: Int
    }

    let posts = Mutex<[Post]>([])
    let failing = Atomic<Bool>(false)
    /// Answer 413 (a body over nginx's client_max_body_size) instead.
    let refusing = Atomic<Bool>(false)
    let connections = Atomic<Int>(0)

    func bind(on group: any EventLoopGroup) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.connections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(hub: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @discardableResult
    func waitFor(_ condition: @Sendable ([Post]) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Post] {
        if try await poll(timeout: .seconds(15), every: .milliseconds(20), { condition(posts.withLock { $0 }) }) {
            return posts.withLock { $0 }
        }
        let now = posts.withLock { $0 }
        Issue.record("never: \(now.map { "\($0.uri) \($0.body) \($0.status)" })", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let hub: FakeHub
        var head: HTTPRequestHead?
        var body = ""

        init(hub: FakeHub) { self.hub = hub }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(let buffer):
                body += String(buffer: buffer)
            case .end:
                guard let head else { return }
                let status: HTTPResponseStatus =
                    hub.refusing.load(ordering: .relaxed) ? .payloadTooLarge : hub.failing.load(ordering: .relaxed) ? .serviceUnavailable : .accepted
                hub.posts.withLock {
                    $0.append(Post(uri: head.uri, event: head.headers.first(name: "X-EventSource-Event"),
                                   contentType: head.headers.first(name: "Content-Type"),
                                   authorization: head.headers.first(name: "Authorization"), body: body, status: Int(status.code)))
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A server that misbehaves on purpose, for `follow`: on 127.0.0.1 port 0, it answers every
/// request with a `200` event stream of the same bytes (`retry:`, events, whatever the test
/// wrote), keeps the connection open, and notes when each connection came.
final class ScriptedEventServer: Sendable {
    private let channel: any Channel
    private let arrivals = Arrivals()

    var port: Int { channel.localAddress?.port ?? 0 }

    /// When each connection arrived, in order.
    var connections: [ContinuousClock.Instant] { arrivals.times.withLock { $0 } }

    /// - Parameter stream: the event-stream body sent after the response head.
    init(stream: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        let response = Array(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n" + stream).utf8)
        let arrivals = self.arrivals
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                arrivals.times.withLock { $0.append(.now) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(response: response))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Waits until `count` connections have come; a failure after `timeout`.
    func waitForConnections(_ count: Int, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation) async throws {
        if try await poll(timeout: timeout, every: .milliseconds(20), { connections.count >= count }) { return }
        Issue.record("only \(connections.count) of \(count) connections came", sourceLocation: sourceLocation)
        throw TimeoutError()
    }

    func close() async {
        try? await channel.close()
    }

    private final class Arrivals: Sendable {
        let times = Mutex<[ContinuousClock.Instant]>([])
    }

    /// Reads the request head, then writes the scripted answer once.
    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let response: [UInt8]
        var request: [UInt8] = []
        var answered = false

        init(response: [UInt8]) {
            self.response = response
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            request += Array(buffer: unwrapInboundIn(data))
            guard request.count > 65536 || request.suffix(4) == Array("\r\n\r\n".utf8) else { return }
            answered = true
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: response)), promise: nil)
        }
    }
}

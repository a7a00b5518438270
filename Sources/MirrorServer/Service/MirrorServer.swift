public import Logging
public import MirrorCore
public import NIOCore
import NIOHTTP1
import NIOPosix

/// The bounds every connection lives within.
public struct ServerLimits: Sendable {
    /// How long a connection may take to send its whole request.
    public var requestTimeout: TimeAmount
    /// Above this many bytes queued for one client, the next event closes it instead (every buffer is bounded).
    public var maximumQueuedBytes: Int

    public init(requestTimeout: TimeAmount = .seconds(10), maximumQueuedBytes: Int = 4 << 20) {
        self.requestTimeout = requestTimeout
        self.maximumQueuedBytes = maximumQueuedBytes
    }
}

/// The listening socket and the pipeline every connection starts with.
public enum MirrorServer {
    static let retryMilliseconds = 2000

    public static func bind(
        host: String,
        port: Int,
        hubs: [StreamHub],
        group: any EventLoopGroup,
        limits: ServerLimits = ServerLimits(),
        logger: Logger
    ) async throws -> any Channel {
        let shared = HTTPRequestHandler.Shared(
            router: Router(hubs: hubs),
            head: SSEResponseHead(),
            retry: SSEEncoder().encodeRetry(milliseconds: retryMilliseconds),
            limits: limits,
            logger: logger
        )
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: limits.maximumQueuedBytes / 4, high: limits.maximumQueuedBytes)
            )
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let encoder = HTTPResponseEncoder()
                    let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(encoder)
                    try sync.addHandler(decoder)
                    try sync.addHandler(HTTPRequestHandler(shared: shared, encoder: encoder, decoder: decoder))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}

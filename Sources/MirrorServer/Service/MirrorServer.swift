public import Logging
public import MirrorCore
public import NIOCore
import NIOHTTP1
import NIOPosix

/// The listening socket and the pipeline every connection starts with.
public enum MirrorServer {
    /// Above this many bytes queued for one client, the next event closes it instead (every buffer is bounded).
    static let writeBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 256 * 1024, high: 4 * 1024 * 1024)
    static let retryMilliseconds = 2000

    public static func bind(
        host: String,
        port: Int,
        hubs: [StreamHub],
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> any Channel {
        let shared = HTTPRequestHandler.Shared(
            router: Router(hubs: hubs),
            head: SSEResponseHead(),
            retry: SSEEncoder().encodeRetry(milliseconds: retryMilliseconds),
            logger: logger
        )
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: writeBufferWaterMark)
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

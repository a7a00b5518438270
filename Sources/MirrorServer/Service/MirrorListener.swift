public import Logging
import MirrorCore
public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL

/// The listening socket and the pipeline every connection starts with.
public enum MirrorListener {
    static let retryMilliseconds = 2000

    public static func bind(
        host: String,
        port: Int,
        current: CurrentServingState,
        tls: NIOSSLContext? = nil,
        group: any EventLoopGroup,
        limits: ServerLimits = ServerLimits(),
        metrics: MirrorMetrics = MirrorMetrics(),
        logger: Logger
    ) async throws -> any Channel {
        let shared = HTTPRequestHandler.Shared(
            current: current,
            head: SSEResponseHead(),
            retry: SSEEncoder().encodeRetry(milliseconds: retryMilliseconds),
            limits: limits,
            admission: ClientAdmission(maximumClients: limits.maximumClients),
            metrics: metrics,
            logger: logger
        )
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // TCP_NODELAY lives at IPPROTO_TCP; at SOL_SOCKET option 1 is SO_DEBUG, which needs
            // CAP_NET_ADMIN, and its failure made NIO close every accepted connection.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // A client that half-closes after its request still wants its stream (RFC 9112 §9.6).
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // Unwritable at an eighth of the bound: a source that can wait (a log on disk) stops
            // reading there (`StreamHub.isBacklogged`), well before a client is closed at the bound.
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: limits.maximumQueuedBytes / 32, high: limits.maximumQueuedBytes / 8)
            )
            .keepalive(limits.keepalive)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let encoder = HTTPResponseEncoder()
                    let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
                    let sync = channel.pipeline.syncOperations
                    // TLS first: every handler after it sees the decrypted bytes.
                    if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    try sync.addHandler(RequestLineGuard(limits: limits, logger: logger))
                    try sync.addHandler(encoder)
                    try sync.addHandler(decoder)
                    try sync.addHandler(HTTPRequestHandler(shared: shared, encoder: encoder, decoder: decoder))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        // After NIO's accept handler, so it sees what that handler reports: failed accepts and
        // connections that could not be set up, which NIO otherwise drops without a word.
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(backoff: limits.acceptBackoff, logger: logger))
        }.get()
        return channel
    }
}

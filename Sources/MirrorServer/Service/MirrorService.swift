public import Logging
public import MirrorCore
public import NIOCore
import NIOPosix
public import ServiceLifecycle

/// sse-mirror as a swift-service-lifecycle `Service`: starts the engine, serves until graceful
/// shutdown (SIGTERM/SIGINT through the `ServiceGroup`), then closes every connection and stops.
public final class MirrorService: Service {
    private let config: MirrorConfig
    private let timing: WatchTiming
    private let logger: Logger
    private let onListening: (@Sendable (SocketAddress) -> Void)?

    /// - Parameter onListening: called with the bound address once the server accepts connections
    ///   (tests bind port 0 and learn the port here).
    public init(
        config: MirrorConfig,
        timing: WatchTiming = WatchTiming(),
        logger: Logger,
        onListening: (@Sendable (SocketAddress) -> Void)? = nil
    ) {
        self.config = config
        self.timing = timing
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let engine = try MirrorEngine(config: config, timing: timing, logger: logger)
        engine.start()
        defer { engine.stop() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        do {
            let channel = try await MirrorServer.bind(
                host: config.listen.host,
                port: config.listen.port,
                hubs: engine.hubs,
                group: group,
                logger: logger
            )
            let heartbeats = config.heartbeat.map {
                Heartbeat.schedule(every: TimeAmount($0), hubs: engine.hubs, on: group)
            } ?? []
            let address = channel.localAddress.map { "\($0)" } ?? "\(config.listen)"
            logger.info(
                "sse-mirror listening on \(Self.url(channel.localAddress, fallback: config.listen))",
                metadata: [
                    "listen": "\(address)",
                    "streams": "\(config.streams.map { "\($0.path) ← \($0.watch)" }.joined(separator: ", "))",
                ]
            )
            if let local = channel.localAddress { onListening?(local) }
            try? await gracefulShutdown()
            logger.info("shutting down")
            heartbeats.forEach { $0.cancel() }
            try? await channel.close()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    static func url(_ address: SocketAddress?, fallback: ListenAddress) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "http://\(fallback)" }
        if case .v6 = address { return "http://[\(ip)]:\(port)" }
        return "http://\(ip):\(port)"
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

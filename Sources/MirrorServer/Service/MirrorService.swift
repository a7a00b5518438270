public import Logging
public import MirrorCore
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import UnixSignals

/// sse-mirror as a swift-service-lifecycle `Service`: starts a ``MirrorInstance``, serves until
/// graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`), then ends every stream cleanly.
///
/// SIGHUP, SIGUSR1 and SIGUSR2 would end the process at once by default (signal(7)), which
/// `kill -HUP`, the usual "reload" gesture, must not do: they are logged and the server runs on.
public final class MirrorService: Service {
    private let config: MirrorConfig
    private let timing: WatchTiming
    private let logger: Logger
    private let onListening: (@Sendable (SocketAddress) -> Void)?

    /// - Parameter onListening: called with the bound address once the server accepts connections.
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
        // Trapped before anything else, so no signal in between can kill the process.
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigusr1, .sigusr2)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let instance: MirrorInstance
        do {
            instance = try await MirrorInstance.start(config: config, timing: timing, group: group, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        logger.info(
            "sse-mirror listening on \(Self.url(instance.localAddress, fallback: config.listen))",
            metadata: ["streams": "\(config.streams.map { "\($0.path) ← \($0.watch)" }.joined(separator: ", "))"]
        )
        if let local = instance.localAddress { onListening?(local) }
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { [logger] in
                for await signal in signals {
                    if signal == .sighup {
                        logger.notice("SIGHUP received; reloading the config is not supported yet, so the running config stays")
                    } else {
                        logger.notice("\(signal) received and ignored")
                    }
                }
            }
            try? await gracefulShutdown()
            tasks.cancelAll()
        }
        logger.info("shutting down")
        await instance.stop()
        try await group.shutdownGracefully()
    }

    static func url(_ address: SocketAddress?, fallback: ListenAddress) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "http://\(fallback)" }
        if case .v6 = address { return "http://[\(ip)]:\(port)" }
        return "http://\(ip):\(port)"
    }
}

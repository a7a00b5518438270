public import Logging
public import MirrorCore
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import UnixSignals

/// sse-mirror as a swift-service-lifecycle `Service`: starts a ``MirrorInstance``, serves until
/// graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`), then ends every stream cleanly.
///
/// The config file is watched and SIGHUP re-reads it (the usual "reload" gesture; see
/// ``ConfigReloader``). SIGUSR1 and SIGUSR2 would end the process at once by default
/// (signal(7)): they are logged and the server runs on.
public final class MirrorService: Service {
    private let config: MirrorConfig
    private let timing: WatchTiming
    private let metrics: MirrorMetrics
    private let logger: Logger
    private let onListening: (@Sendable (SocketAddress) -> Void)?
    private let adjust: ConfigReloader.Adjust

    /// - Parameters:
    ///   - adjust: applied to every config the file gives on a reload, as it was to `config`
    ///     (command-line options that beat the file).
    ///   - onListening: called with the bound address once the server accepts connections.
    public init(
        config: MirrorConfig,
        timing: WatchTiming = WatchTiming(),
        metrics: MirrorMetrics = MirrorMetrics(),
        logger: Logger,
        adjust: @escaping ConfigReloader.Adjust = { _ in },
        onListening: (@Sendable (SocketAddress) -> Void)? = nil
    ) {
        self.config = config
        self.timing = timing
        self.metrics = metrics
        self.logger = logger
        self.adjust = adjust
        self.onListening = onListening
    }

    public func run() async throws {
        // Trapped before anything else, so no signal in between can kill the process.
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigusr1, .sigusr2)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let instance: MirrorInstance
        do {
            instance = try await MirrorInstance.start(config: config, timing: timing, metrics: metrics, group: group, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        logger.info(
            "sse-mirror listening on \(Self.url(instance.localAddress, fallback: config.listen, tls: config.tls != nil))",
            metadata: ["streams": "\(config.streams.map { "\($0.path) ← \($0.watch)" }.joined(separator: ", "))"]
        )
        if let local = instance.localAddress { onListening?(local) }
        let reloader = ConfigReloader(file: config.file, adjust: adjust, logger: logger)
        do {
            try reloader.startWatching(timing: timing, tokenFiles: config.access.tokenFiles)
        } catch {
            logger.warning("the config file cannot be watched; SIGHUP still reloads it", metadata: ["error": "\(error)"])
        }
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await reloader.run(instance) }
            tasks.addTask { [logger] in
                for await signal in signals {
                    if signal == .sighup {
                        logger.notice("SIGHUP received; reloading the config")
                        reloader.requestReload()
                    } else {
                        logger.notice("\(signal) received and ignored")
                    }
                }
            }
            try? await gracefulShutdown()
            reloader.stop()
            tasks.cancelAll()
        }
        logger.info("shutting down")
        await instance.stop()
        try await group.shutdownGracefully()
    }

    static func url(_ address: SocketAddress?, fallback: ListenAddress, tls: Bool = false) -> String {
        let scheme = tls ? "https" : "http"
        guard let address, let ip = address.ipAddress, let port = address.port else { return "\(scheme)://\(fallback)" }
        if case .v6 = address { return "\(scheme)://[\(ip)]:\(port)" }
        return "\(scheme)://\(ip):\(port)"
    }
}

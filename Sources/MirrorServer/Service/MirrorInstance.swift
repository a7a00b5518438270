public import Logging
public import MirrorCore
public import NIOCore
import NIOPosix

/// A running mirror: the engine watching its files, the listening channel, and the heartbeats.
///
/// ``MirrorService`` runs one until graceful shutdown; tests start one on port 0 with their own
/// event loop group and reach its hubs directly.
public struct MirrorInstance: Sendable {
    public let engine: MirrorEngine
    public let channel: any Channel
    private let heartbeats: [RepeatedTask]

    /// The address the server listens on (with the real port when the config asked for port 0).
    public var localAddress: SocketAddress? { channel.localAddress }

    /// Reads every watched file, then binds: a client never connects before the first state exists.
    public static func start(
        config: MirrorConfig,
        timing: WatchTiming = WatchTiming(),
        limits: ServerLimits = ServerLimits(),
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> MirrorInstance {
        let engine = try MirrorEngine(config: config, timing: timing, logger: logger)
        engine.start()
        do {
            let channel = try await MirrorServer.bind(
                host: config.listen.host,
                port: config.listen.port,
                hubs: engine.hubs,
                group: group,
                limits: limits,
                logger: logger
            )
            let heartbeats = config.heartbeat.map { Heartbeat.schedule(every: TimeAmount($0), hubs: engine.hubs, on: group) } ?? []
            return MirrorInstance(engine: engine, channel: channel, heartbeats: heartbeats)
        } catch {
            engine.stop()
            throw error
        }
    }

    /// Stops accepting, stops the heartbeats and the watcher. Open streams close with their event loop group.
    public func stop() async {
        heartbeats.forEach { $0.cancel() }
        try? await channel.close()
        engine.stop()
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

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
    /// `limits` nil takes them from the config's `limits:`.
    ///
    /// The first reads and the watcher thread's start block, so they run on NIO's thread pool,
    /// not on the Swift concurrency pool that every other task shares.
    public static func start(
        config: MirrorConfig,
        timing: WatchTiming = WatchTiming(),
        limits: ServerLimits? = nil,
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> MirrorInstance {
        let engine = try MirrorEngine(config: config, timing: timing, logger: logger)
        try await NIOThreadPool.singleton.runIfActive { engine.start() }
        do {
            let channel = try await MirrorListener.bind(
                host: config.listen.host,
                port: config.listen.port,
                hubs: engine.hubs,
                hosts: HostPolicy(listenHost: config.listen.host, extra: config.hosts),
                group: group,
                limits: limits ?? ServerLimits(config.limits),
                logger: logger
            )
            if let address = channel.localAddress, !address.isLoopback {
                logger.warning(
                    "listening on \(address), which is not a loopback address: anyone who can reach it can read every stream",
                    metadata: ["listen": "\(config.listen)"]
                )
            }
            let heartbeats = config.heartbeat.map { Heartbeat.schedule(every: TimeAmount($0), hubs: engine.hubs, on: group) } ?? []
            return MirrorInstance(engine: engine, channel: channel, heartbeats: heartbeats)
        } catch {
            await Self.stop(engine)
            throw error
        }
    }

    /// Stops accepting and heartbeats, ends every open stream cleanly (the last chunk of a chunked
    /// body, then close), and stops the watcher.
    public func stop() async {
        heartbeats.forEach { $0.cancel() }
        try? await channel.close()
        for hub in engine.hubs { await hub.finishAll() }
        await Self.stop(engine)
    }

    /// Joining the watcher thread blocks, so it happens on NIO's thread pool.
    private static func stop(_ engine: MirrorEngine) async {
        do {
            try await NIOThreadPool.singleton.runIfActive { engine.stop() }
        } catch {
            engine.stop()
        }
    }
}

extension SocketAddress {
    /// 127.0.0.0/8 or ::1 (and ::ffff:127.0.0.0/104): reachable from this machine only.
    var isLoopback: Bool {
        switch self {
        case .v4(let address):
            return UInt32(bigEndian: address.address.sin_addr.s_addr) >> 24 == 127
        case .v6(let address):
            let bytes = withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            return (bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1) || (mapped && bytes[12] == 127)
        case .unixDomainSocket:
            return true
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

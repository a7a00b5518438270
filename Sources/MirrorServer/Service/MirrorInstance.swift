public import Logging
public import MirrorCore
public import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A running mirror: the engines watching its files, the listening channel, the heartbeats, and
/// the ``ServingState`` every request is decided against.
///
/// ``MirrorService`` runs one until graceful shutdown; tests start one on port 0 with their own
/// event loop group and reach its hubs directly. A reload (``reload(to:)``) swaps the serving
/// state; the streams it changes run in an engine of their own, started for them, while the
/// unchanged ones stay in the engine they were started in (an engine is stopped once none of
/// its streams is served any more).
public final class MirrorInstance: Reloadable {
    public let channel: any Channel
    /// The configuration in force and its routes.
    public let current: CurrentServingState
    private let group: any EventLoopGroup
    private let timing: WatchTiming
    /// Where this server's streams count, and what `/metrics` shows.
    public let metrics: MirrorMetrics
    private let logger: Logger
    private let runtime: Mutex<Runtime>
    /// The publish sinks (`publish:`), rearranged on every reload.
    private let publishers: PublishSinks

    private struct Runtime {
        /// Each engine with the paths of its streams still served.
        var engines: [(engine: MirrorEngine, served: Set<String>)]
        var heartbeats: [RepeatedTask]
    }

    /// The address the server listens on (with the real port when the config asked for port 0).
    public var localAddress: SocketAddress? { channel.localAddress }

    private init(
        channel: any Channel, current: CurrentServingState, engine: MirrorEngine, group: any EventLoopGroup, timing: WatchTiming,
        metrics: MirrorMetrics, logger: Logger
    ) {
        self.channel = channel
        self.current = current
        self.group = group
        self.timing = timing
        self.metrics = metrics
        self.logger = logger
        let publishers = PublishSinks(group: group, factory: metrics.factory, logger: logger)
        publishers.apply(current.now.config.publish, hubs: engine.hubs)
        self.publishers = publishers
        let heartbeats = Self.heartbeats(for: current.now.config, current: current, on: group)
        self.runtime = Mutex(Runtime(engines: [(engine, Set(engine.config.streams.map(\.path)))], heartbeats: heartbeats))
    }

    /// Reads every watched file, then binds: a client never connects before the first state exists.
    /// `limits` nil takes them from the config's `limits:`.
    ///
    /// The first reads and the watcher thread's start block, so they run on NIO's thread pool,
    /// not on the Swift concurrency pool that every other task shares.
    public static func start(
        config: MirrorConfig,
        timing: WatchTiming = WatchTiming(),
        limits: ServerLimits? = nil,
        metrics: MirrorMetrics = MirrorMetrics(),
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> MirrorInstance {
        let engine = try await startEngine(config: config, timing: timing, metrics: metrics, logger: logger)
        do {
            let current = CurrentServingState(ServingState(config: config, hubs: engine.hubs, watchStatuses: engine.watchStatuses))
            var tls: NIOSSLContext?
            if let files = config.tls { tls = try TLSContext.make(files) }
            let channel = try await MirrorListener.bind(
                host: config.listen.host,
                port: config.listen.port,
                current: current,
                tls: tls,
                group: group,
                limits: limits ?? ServerLimits(config.limits),
                metrics: metrics,
                logger: logger
            )
            if let address = channel.localAddress, !address.isLoopback, !config.access.requiresTokens {
                logger.warning(
                    "listening on \(address), which is not a loopback address, without 'auth:': anyone who can reach it can read every stream",
                    metadata: ["listen": "\(config.listen)"]
                )
            }
            return MirrorInstance(channel: channel, current: current, engine: engine, group: group, timing: timing, metrics: metrics, logger: logger)
        } catch {
            await Self.stop(engine)
            throw error
        }
    }

    /// The hub serving `path` in the configuration in force.
    public func hub(forPath path: String) -> StreamHub? {
        current.now.router.hub(forPath: path)
    }

    /// Applies a new configuration (already loaded and checked) without a restart: streams it does
    /// not change keep their hubs and clients; new and changed streams start in a new engine
    /// before the swap, so their first state exists when the first request reaches them; retired
    /// streams' clients are ended cleanly afterwards (they reconnect, to the new stream if there
    /// is one). Returns the plan carried out. Calls must not overlap (the service makes them
    /// one at a time).
    @discardableResult
    public func reload(to config: MirrorConfig) async throws -> ReloadPlan {
        let old = current.now
        let plan = ReloadPlan(from: old.config, to: config)
        var started: MirrorEngine?
        if !plan.started.isEmpty {
            var subset = config
            subset.streams = plan.started
            started = try await Self.startEngine(config: subset, timing: timing, metrics: metrics, logger: logger)
        }
        let fresh = Dictionary(uniqueKeysWithValues: (started?.hubs ?? []).map { ($0.path, $0) })
        let hubs = config.streams.compactMap { fresh[$0.path] ?? old.router.hub(forPath: $0.path) }
        let paths = Set(config.streams.map(\.path))
        let statuses = old.watchStatuses.merging(started?.watchStatuses ?? [:]) { _, new in new }.filter { paths.contains($0.key) }
        current.replace(with: ServingState(config: config, hubs: hubs, watchStatuses: statuses))
        for sink in publishers.apply(config.publish, hubs: hubs) { await sink.stop() }
        for path in plan.retired {
            await old.router.hub(forPath: path)?.finishAll(reason: .streamRetired)
        }
        await endRevokedClients(kept: plan.kept, old: old.config.access, new: config.access)
        let retired = Set(plan.retired)
        let (idle, stale) = runtime.withLock { runtime in
            for index in runtime.engines.indices { runtime.engines[index].served.subtract(retired) }
            if let started { runtime.engines.append((started, Set(started.config.streams.map(\.path)))) }
            let idle = runtime.engines.filter(\.served.isEmpty).map(\.engine)
            runtime.engines.removeAll { $0.served.isEmpty }
            var stale: [RepeatedTask] = []
            if config.heartbeat != old.config.heartbeat {
                stale = runtime.heartbeats
                runtime.heartbeats = Self.heartbeats(for: config, current: current, on: group)
            }
            return (idle, stale)
        }
        stale.forEach { $0.cancel() }
        for engine in idle { await Self.stop(engine) }
        return plan
    }

    /// Ends the clients of kept streams that the new tokens no longer let in: those whose token was
    /// removed, and, where a stream that was open now needs a token, those that came without one.
    private func endRevokedClients(kept: [String], old: AccessConfig, new: AccessConfig) async {
        for path in kept {
            let tokens = new.tokens(forStream: path)
            guard tokens != old.tokens(forStream: path), let tokens, let hub = current.now.router.hub(forPath: path) else { continue }
            await hub.finish(reason: .tokenRevoked) { sink in
                guard let credential = (sink as? any TokenHolder)?.credential else { return true }
                return !tokens.contains(digest: credential)
            }
        }
    }

    /// Stops accepting and heartbeats, ends every open stream cleanly (the last chunk of a chunked
    /// body, then close), and stops the watchers.
    public func stop() async {
        let (engines, heartbeats) = runtime.withLock { runtime in
            defer { runtime = Runtime(engines: [], heartbeats: []) }
            return (runtime.engines.map(\.engine), runtime.heartbeats)
        }
        heartbeats.forEach { $0.cancel() }
        await publishers.stop()
        try? await channel.close()
        for hub in current.now.router.hubs { await hub.finishAll() }
        for engine in engines { await Self.stop(engine) }
    }

    private static func heartbeats(for config: MirrorConfig, current: CurrentServingState, on group: any EventLoopGroup) -> [RepeatedTask] {
        config.heartbeat.map { Heartbeat.schedule(every: TimeAmount($0), current: current, on: group) } ?? []
    }

    private static func startEngine(config: MirrorConfig, timing: WatchTiming, metrics: MirrorMetrics, logger: Logger) async throws -> MirrorEngine {
        let engine = try MirrorEngine(config: config, timing: timing, metrics: metrics.factory, logger: logger)
        try await NIOThreadPool.singleton.runIfActive { engine.start() }
        return engine
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

public import CoreMetrics
public import Logging

/// The core of sse-mirror without sockets: watches every configured file and keeps each
/// stream's ``StreamHub`` publishing its current state. The server subscribes connections to hubs.
///
/// Each kind of source is built by its ``SourceFactory`` (``sourceFactories``); the engine only
/// groups the streams by kind, lends each source the workers, and starts and stops them. Sources
/// watch and schedule on threads of their own; reads and everything after them (parse, diff,
/// encode, publish) run on two worker pools, big work on the niced one (see ``WorkerPool``).
public final class MirrorEngine: Sendable {
    public let config: MirrorConfig
    /// Every hub, in config order.
    public let hubs: [StreamHub]
    private let hubsByPath: [String: StreamHub]
    /// How each stream is watched, by path.
    public let watchStatuses: [String: WatchStatus]
    private let sources: [any MirrorSource]
    private let workers: WorkerPool
    private let background: WorkerPool

    /// - Parameter metrics: where every stream's hub counts (``StreamMetrics``); passed in, not the
    ///   global `MetricsSystem`, so two servers in one process (tests) count apart.
    public convenience init(
        config: MirrorConfig, timing: WatchTiming = WatchTiming(), metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger
    ) throws {
        try self.init(config: config, timing: timing, factories: Self.sourceFactories, metrics: metrics, logger: logger)
    }

    /// - Parameter factories: one per kind of source (a stream of a kind none builds is a
    ///   programming error).
    init(
        config: MirrorConfig, timing: WatchTiming, factories: [any SourceFactory], metrics: any MetricsFactory, logger: Logger
    ) throws {
        self.config = config
        let workers = WorkerPool(threads: 2)
        let background = WorkerPool(threads: 2, nice: 10)
        self.workers = workers
        self.background = background
        let context = SourceContext(
            run: EventID.newRun(), encoder: SSEEncoder(), metrics: metrics, timing: timing, logger: logger,
            executor: { big, job in (big ? background : workers).submit(job) }
        )
        var sources: [any MirrorSource] = []
        var streams: [any SourceStream] = []
        for factory in factories {
            let configs = config.streams.filter { $0.source == factory.kind }
            guard !configs.isEmpty else { continue }
            let built = try factory.makeSource(for: configs, in: context)
            sources.append(built.source)
            streams += built.streams
        }
        let hubsByPath = Dictionary(uniqueKeysWithValues: streams.map { ($0.config.path, $0.hub) })
        precondition(config.streams.allSatisfy { hubsByPath[$0.path] != nil }, "a stream kind without a source factory")
        self.hubsByPath = hubsByPath
        self.hubs = config.streams.map { hubsByPath[$0.path]! }
        self.watchStatuses = Dictionary(uniqueKeysWithValues: streams.map { ($0.config.path, $0.watchStatus) })
        self.sources = sources
    }

    public func hub(forPath path: String) -> StreamHub? { hubsByPath[path] }

    /// Reads every file and starts watching; when this returns, every hub has its first state.
    public func start() {
        for source in sources { source.start() }
    }

    /// Stops watching and waits for reads in progress to be published.
    public func stop() {
        for source in sources { source.stop() }
        workers.shutdown()
        background.shutdown()
    }
}

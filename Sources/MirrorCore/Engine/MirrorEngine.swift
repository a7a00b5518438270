public import CoreMetrics
public import Logging

/// The core of sse-mirror without sockets: watches every configured file and keeps each
/// stream's ``StreamHub`` publishing its current state. The server subscribes connections to hubs.
///
/// Threads: the watcher thread only watches and schedules; reads and everything after them (parse,
/// diff, encode, publish) run on worker pools, one read per stream at a time. Files of at least
/// ``bigDocument`` bytes go to a niced pool, so their work yields to the event loops and to small
/// streams' changes (see ``WorkerPool``).
public final class MirrorEngine: Sendable {
    /// From this size (at the last read) a file's work runs at low priority.
    public static let bigDocument = 1 << 20

    public let config: MirrorConfig
    private let streams: [FileStream]
    /// Every hub, in config order.
    public let hubs: [StreamHub]
    private let hubsByPath: [String: StreamHub]
    private let statusesByPath: [String: WatchStatus]
    private let sources: [any MirrorSource]
    private let workers: WorkerPool
    private let background: WorkerPool

    /// - Parameters:
    ///   - lineQuiet: how long the old file of a rotated log must be quiet before the new file's
    ///     lines go out (see ``LogFollower``).
    ///   - metrics: where every stream's hub counts (``StreamMetrics``); passed in, not the global
    ///     `MetricsSystem`, so two servers in one process (tests) count apart.
    public init(
        config: MirrorConfig, timing: WatchTiming = WatchTiming(), lineQuiet: Duration = .seconds(1),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) throws {
        self.config = config
        let run = EventID.newRun()
        let encoder = SSEEncoder()
        let streams = config.streams.filter { $0.source == .file }.map { FileStream(config: $0, run: run, encoder: encoder, metrics: metrics, logger: logger) }
        let lineStreams = config.streams.filter { $0.source == .lines }.map { LineStream(config: $0, run: run, encoder: encoder, metrics: metrics, logger: logger) }
        let trees = config.streams.filter { $0.source == .tree }.map {
            TreeStream(config: $0, hub: StreamHub(config: $0, metrics: metrics), run: run, encoder: encoder, logger: logger)
        }
        self.streams = streams
        let hubsByPath = Dictionary(
            uniqueKeysWithValues: streams.map { ($0.config.path, $0.hub) } + lineStreams.map { ($0.config.path, $0.hub) }
                + trees.map { ($0.config.path, $0.hub) }
        )
        self.hubsByPath = hubsByPath
        self.hubs = config.streams.compactMap { hubsByPath[$0.path] }
        self.statusesByPath = Dictionary(
            uniqueKeysWithValues: streams.map { ($0.config.path, $0.watchStatus) } + lineStreams.map { ($0.config.path, $0.watchStatus) }
                + trees.map { ($0.config.path, $0.watchStatus) }
        )
        let workers = WorkerPool(threads: 2)
        let background = WorkerPool(threads: 2, nice: 10)
        self.workers = workers
        self.background = background
        let executor: FileWatcher.Executor = { sizeHint, job in
            ((sizeHint ?? 0) >= Self.bigDocument ? background : workers).submit(job)
        }
        var sources: [any MirrorSource] = []
        // Single files share one watcher; the handler gets the index into this subset.
        let files = streams
        if !files.isEmpty {
            sources.append(try FileWatcher(
                files: files.map {
                    WatchedPath(
                        path: $0.config.watchPath, readLimit: $0.config.maxSize, symlinks: $0.config.symlinks,
                        policy: $0.config.watching, status: $0.watchStatus
                    )
                },
                timing: timing,
                logger: logger,
                executor: executor
            ) { index, result, read in
                files[index].ingest(result, read: read)
            })
        }
        // Line streams share one source: one thread, one inotify instance.
        if !lineStreams.isEmpty {
            sources.append(try LineSource(streams: lineStreams, timing: timing, quiet: lineQuiet, logger: logger))
        }
        // Trees share one watcher too; their looks and hashing run on the worker pools.
        if !trees.isEmpty {
            sources.append(try TreeSource(streams: trees, timing: timing, logger: logger) { big, job in
                (big ? background : workers).submit(job)
            })
        }
        self.sources = sources
    }

    public func hub(forPath path: String) -> StreamHub? { hubsByPath[path] }

    /// Whether inotify or polling serves a file or line stream now, and why it polls (trees: nil).
    public func watchStatus(forPath path: String) -> WatchStatus? { statusesByPath[path] }

    /// How each stream is watched, by path.
    public var watchStatuses: [String: WatchStatus] { statusesByPath }

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

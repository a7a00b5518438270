public import Logging

/// The core of sse-mirror without sockets: watches every configured file and keeps each
/// stream's ``StreamHub`` publishing its current state. The server subscribes connections to hubs.
public final class MirrorEngine: Sendable {
    /// The largest file a stream mirrors; a larger one is reported as `invalid`, never read whole.
    public static let defaultReadLimit = 16 << 20

    public let config: MirrorConfig
    private let streams: [MirrorStream]
    private let hubsByPath: [String: StreamHub]
    private let watcher: FileWatcher

    public init(config: MirrorConfig, timing: WatchTiming = WatchTiming(), readLimit: Int = defaultReadLimit, logger: Logger) throws {
        self.config = config
        let run = EventID.newRun()
        let encoder = SSEEncoder()
        let streams = config.streams.map { MirrorStream(config: $0, run: run, encoder: encoder, logger: logger) }
        self.streams = streams
        self.hubsByPath = Dictionary(uniqueKeysWithValues: streams.map { ($0.config.path, $0.hub) })
        self.watcher = try FileWatcher(
            paths: config.streams.map(\.watchPath),
            symlinks: config.streams.map(\.symlinks),
            timing: timing,
            readLimit: readLimit,
            logger: logger
        ) { index, result, attempt in
            streams[index].ingest(result, attempt: attempt)
        }
    }

    /// Every hub, in config order.
    public var hubs: [StreamHub] { streams.map(\.hub) }

    public func hub(forPath path: String) -> StreamHub? { hubsByPath[path] }

    /// Reads every file and starts watching; when this returns, every hub has its first state.
    public func start() {
        watcher.start()
    }

    public func stop() {
        watcher.stop()
    }
}

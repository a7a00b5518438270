import Logging
import MirrorCore
import MirrorServer
import NIOCore
import NIOPosix
import Synchronization
import MirrorDocument

/// A real sse-mirror on 127.0.0.1 port 0, over a real temporary folder, for one test.
///
/// The reconciliation stat is off, so every save style must be caught by inotify alone: a test
/// passes only if the watcher's handling of that style works.
struct MirrorFixture: Sendable {
    let directory: TemporaryDirectory
    let instance: MirrorInstance
    let group: MultiThreadedEventLoopGroup
    let host: String
    let port: Int
    /// Whether ``stop()`` has begun: a test may stop its server itself, and ``withServer(_:isolation:_:)``
    /// stops it again at the end; the slot and the folder are given back once.
    private let stopped = StopOnce()

    /// A settle time above the default, so a test's pause between two steps of a save cannot
    /// outlast it on a loaded machine (tests run in parallel on two cores).
    static let testTiming = WatchTiming(settle: .milliseconds(200), idleWriter: .seconds(2), maximumDelay: .milliseconds(500), reconcileInterval: nil)

    /// - Parameters:
    ///   - files: created before the server starts (name → content).
    ///   - streams: URL path → watched name, relative to the folder.
    static func start(
        files: [String: String] = [:],
        streams: [String: String] = ["/config": "app.json"],
        heartbeat: Duration? = nil,
        host: String = "127.0.0.1",
        hosts: [String] = [],
        timing: WatchTiming = testTiming,
        limits: ServerLimits = ServerLimits(),
        symlinks: SymlinkPolicy = .sameOwner,
        format: DocumentFormat = .json,
        emit: EmitMode = .snapshot,
        history: HistoryLimits = HistoryLimits(),
        transform: Transform = Transform(),
        access: AccessConfig = AccessConfig(),
        watching: WatchPolicy = WatchPolicy(),
        prepare: (TemporaryDirectory) throws -> Void = { _ in }
    ) async throws -> MirrorFixture {
        let directory = try TemporaryDirectory()
        for (name, content) in files { try directory.write(name, content) }
        try prepare(directory)
        var config = MirrorConfig(
            listen: ListenAddress(host: host, port: 0),
            heartbeat: heartbeat,
            streams: streams.sorted(by: { $0.key < $1.key }).map { path, watch in
                var stream = StreamConfig(
                    path: path,
                    watch: watch,
                    watchPath: PathText.normalize(directory.path + "/" + watch),
                    format: format,
                    symlinks: symlinks,
                    emit: emit,
                    history: history
                )
                stream.transform = transform
                stream.watching = watching
                return stream
            },
            hosts: hosts,
            file: directory.url("mirror.yaml"),
            baseDirectory: directory.path
        )
        config.access = access
        return try await serve(config, in: directory, timing: timing, limits: limits, host: host)
    }

    /// A server for `config` over `directory`, quiet, on two event loops: what every fixture ends with.
    static func serve(
        _ config: MirrorConfig, in directory: TemporaryDirectory, timing: WatchTiming = testTiming,
        limits: ServerLimits = ServerLimits(), host: String = "127.0.0.1"
    ) async throws -> MirrorFixture {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        await WatcherSlots.shared.acquire()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let instance: MirrorInstance
        do {
            instance = try await MirrorInstance.start(config: config, timing: timing, limits: limits, group: group, logger: logger)
        } catch {
            await WatcherSlots.shared.release()
            throw error
        }
        return MirrorFixture(directory: directory, instance: instance, group: group, host: host, port: instance.localAddress!.port!)
    }

    func subscribe(_ path: String = "/config", version: String = "HTTP/1.1", lastEventID: String? = nil) async throws -> TestClient {
        try await TestClient.subscribe(host: host, port: port, group: group, path: path, version: version, lastEventID: lastEventID)
    }

    func request(_ raw: String) async throws -> TestClient {
        try await TestClient.connect(host: host, port: port, group: group, request: raw)
    }

    /// The head of the answer to `raw` (see ``TestClient/head(of:host:port:group:)``).
    func head(_ raw: String) async throws -> String {
        try await TestClient.head(of: raw, host: host, port: port, group: group)
    }

    func hub(_ path: String = "/config") -> StreamHub {
        instance.hub(forPath: path)!
    }

    /// Stops the server, shuts its event loops down (closing every client connection made through
    /// ``subscribe(_:version:lastEventID:)`` or ``request(_:)``) and removes the folder. Only the
    /// first call does anything.
    func stop() async {
        guard stopped.first() else { return }
        await instance.stop()
        await WatcherSlots.shared.release()
        try? await group.shutdownGracefully()
        directory.remove()
    }
}

extension MirrorFixture: TestServer {
    func tearDown() async {
        await stop()
    }
}

/// True for the first caller of ``first()`` only.
final class StopOnce: Sendable {
    private let done = Atomic(false)

    func first() -> Bool {
        !done.exchange(true, ordering: .acquiringAndReleasing)
    }
}

/// An event loop group for clients of a server that runs in another process.
enum MultiThreadedEventLoopGroupHolder {
    static let shared = MultiThreadedEventLoopGroup.singleton
}

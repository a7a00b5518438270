public import Logging
public import MirrorCore
import Synchronization

/// Watches the config file and turns its changes, and SIGHUP, into reloads of a running
/// ``MirrorInstance``, one at a time.
///
/// The file is watched as any watched file is (its folder, so an editor's atomic save is one
/// change; see ``FileWatcher``), and a change is re-read only when its bytes differ from the last
/// ones read, so a `touch` or an identical save reloads nothing. A config that does not load is
/// logged with its file, line and column, and the running one stays in force.
public final class ConfigReloader: Sendable {
    /// Applied to every config read (say, `--listen` from the command line, which beats the file).
    public typealias Adjust = @Sendable (inout MirrorConfig) -> Void

    private let file: String
    private let adjust: Adjust
    private let logger: Logger
    private let triggers: AsyncStream<Void>
    private let trigger: AsyncStream<Void>.Continuation
    private let lastBytes = Mutex<[UInt8]?>(nil)
    private let watcher: Mutex<FileWatcher?> = Mutex(nil)

    public init(file: String, adjust: @escaping Adjust = { _ in }, logger: Logger) {
        self.file = file
        self.adjust = adjust
        self.logger = logger
        // Changes that come while a reload runs are one more reload, not one each.
        (triggers, trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts watching the file (its first reading only records its bytes).
    public func startWatching(timing: WatchTiming) throws {
        let watcher = try FileWatcher(paths: [file], timing: timing, readLimit: 4 << 20, logger: logger) { [self] _, result, _ in
            guard case .success(let content) = result else { return .done }
            let changed = lastBytes.withLock { last in
                defer { last = content.bytes }
                return last != nil && last != content.bytes
            }
            if changed { trigger.yield() }
            return .done
        }
        watcher.start()
        self.watcher.withLock { $0 = watcher }
    }

    /// SIGHUP: read the file again whether or not it changed.
    public func requestReload() {
        trigger.yield()
    }

    /// Reloads `instance` on every trigger until the task is cancelled or ``stop()`` is called.
    public func run(_ instance: MirrorInstance) async {
        for await _ in triggers {
            await reload(instance)
        }
    }

    public func stop() {
        watcher.withLock { $0 }?.stop()
        trigger.finish()
    }

    func reload(_ instance: MirrorInstance) async {
        var config: MirrorConfig
        do {
            config = try ConfigLoader.load(file: file)
        } catch {
            logger.error("the config was not reloaded; the running one stays in force", metadata: ["error": "\(error.description)"])
            return
        }
        adjust(&config)
        do {
            let plan = try await instance.reload(to: config)
            if !plan.needsRestart.isEmpty {
                logger.warning("a changed setting holds only after a restart", metadata: ["settings": "\(plan.needsRestart.joined(separator: ", "))"])
            }
            logger.notice(
                "config reloaded",
                metadata: [
                    "streams.kept": "\(plan.kept.count)",
                    "streams.started": "\(plan.started.map(\.path).joined(separator: ", "))",
                    "streams.retired": "\(plan.retired.joined(separator: ", "))",
                ]
            )
        } catch {
            logger.error("the config could not be applied; the running one stays in force", metadata: ["error": "\(error)"])
        }
    }
}

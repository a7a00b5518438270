public import Logging
public import MirrorCore
import Synchronization
import MirrorDocument

/// Watches the config file, and the token files it names, and turns their changes, and SIGHUP,
/// into reloads of the running server (``Reloadable``: a ``MirrorInstance``), one at a time.
///
/// The files are watched as any watched file is (their folders, so an editor's atomic save is one
/// change; see ``FileWatcher``), and a change counts only when a file's bytes differ from the last
/// ones read, so a `touch` or an identical save reloads nothing. A reload that names other token
/// files watches those from then on. A config that does not load is
/// logged with its file, line and column, and the running one stays in force; a tokens file that
/// is gone (after the settle time), unreadable, empty or holding a bad line revokes its tokens
/// instead, logged at error level, until it is back.
public final class ConfigReloader: Sendable {
    /// Applied to every config read (say, `--listen` from the command line, which beats the file).
    public typealias Adjust = @Sendable (inout MirrorConfig) -> Void

    private let file: String
    private let adjust: Adjust
    private let logger: Logger
    private let triggers: AsyncStream<Void>
    private let trigger: AsyncStream<Void>.Continuation
    /// The last bytes read of each watched file (its first reading only records them), by path as
    /// the file system spells it: `tokens-é` in NFC and in NFD are two files (``ScalarString``).
    private let lastBytes = Mutex<[ScalarString: [UInt8]]>([:])
    private let watcher: Mutex<(watcher: FileWatcher, files: [String])?> = Mutex(nil)
    private let timing: Mutex<WatchTiming?> = Mutex(nil)

    public init(file: String, adjust: @escaping Adjust = { _ in }, logger: Logger) {
        self.file = file
        self.adjust = adjust
        self.logger = logger
        // Changes that come while a reload runs are one more reload, not one each.
        (triggers, trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts watching the config file and `tokenFiles`.
    public func startWatching(timing: WatchTiming, tokenFiles: [String]) throws {
        self.timing.withLock { $0 = timing }
        try watch([file] + tokenFiles, timing: timing)
    }

    private func watch(_ paths: [String], timing: WatchTiming) throws {
        // Watched by absolute path: `sse-mirror mirror.yaml` (what `make run` does) names the file
        // relative to the working folder, and a relative path was never seen to change.
        let watcher = try FileWatcher(paths: paths.map(PathText.absolute), timing: timing, readLimit: 4 << 20, logger: logger) { [self] index, result, _ in
            let bytes = (try? result.get())?.bytes
            let path = ScalarString(paths[index])
            let changed = lastBytes.withLock { last in
                defer { last[path] = bytes ?? [] }
                return last[path].map { $0 != (bytes ?? []) } ?? false
            }
            if changed { trigger.yield() }
            return .done
        }
        watcher.start()
        let old = self.watcher.withLock { current in
            defer { current = (watcher, paths) }
            return current?.watcher
        }
        old?.stop()
    }

    /// Follows the token files a reloaded config names, when they are not the ones watched.
    private func rewatch(tokenFiles: [String]) {
        let paths = [file] + tokenFiles
        let watched = watcher.withLock { $0?.files }
        guard let timing = timing.withLock({ $0 }), watched?.hasSameScalars(as: paths) != true else { return }
        do {
            try watch(paths, timing: timing)
        } catch {
            logger.warning("the token files cannot be watched; SIGHUP still reloads them", metadata: ["error": "\(error)"])
        }
    }

    /// SIGHUP: read the file again whether or not it changed.
    public func requestReload() {
        trigger.yield()
    }

    /// Reloads `instance` on every trigger until the task is cancelled or ``stop()`` is called.
    public func run(_ instance: some Reloadable) async {
        for await _ in triggers {
            await reload(instance)
        }
    }

    /// What the config allows but probably did not mean (``ConfigWarning``), once per load: at
    /// start and at each reload.
    public static func logWarnings(of config: MirrorConfig, to logger: Logger) {
        for warning in config.warnings { logger.warning("\(warning.summary)") }
    }

    /// The config file as it is now; a tokens file it names that cannot be read revokes its tokens
    /// (``TokenFilePolicy/revokeUnreadable``) rather than keeping them in force. Nil, and logged,
    /// when the config does not load: the running one stays.
    private func load() -> MirrorConfig? {
        do {
            return try ConfigLoader.load(file: file, tokenFiles: .revokeUnreadable)
        } catch {
            logger.error("the config was not reloaded; the running one stays in force", metadata: ["error": "\(error.description)"])
            return nil
        }
    }

    public func stop() {
        watcher.withLock { $0 }?.watcher.stop()
        trigger.finish()
    }

    func reload(_ instance: some Reloadable) async {
        guard var config = load() else { return }
        if !config.access.revokedTokenFiles.isEmpty, let settle = timing.withLock({ $0 })?.settle {
            // A config edit can meet a tokens file in the middle of an editor's save (vim renames
            // it away, then writes it again; an in-place save truncates it first): what is still
            // so after the settle time is the file's state.
            try? await Task.sleep(for: settle)
            guard let again = load() else { return }
            config = again
        }
        adjust(&config)
        do {
            let plan = try await instance.reload(to: config)
            rewatch(tokenFiles: config.access.tokenFiles)
            for revoked in config.access.revokedTokenFiles {
                logger.error(
                    "no token from this tokens file is valid now; the streams held with one were ended",
                    metadata: ["tokens.file": "\(revoked.path)", "error": "\(revoked.reason)"]
                )
            }
            Self.logWarnings(of: config, to: logger)
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

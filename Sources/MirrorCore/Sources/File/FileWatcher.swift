import Glibc
public import Logging
import MirrorDocument

/// Watches files through one inotify instance, on one thread, and has each one read once per change.
///
/// The watcher thread only watches and schedules: reads, and the handler that takes each reading
/// (parsing, diffing, publishing), run on the `executor`, so a big file on one stream never holds up
/// another stream's change. One read per file is in flight at a time; what becomes due meanwhile
/// waits as one pending read, the newest (a rewrite that comes while the last one is still being
/// read supersedes any earlier pending one). Each finished read reports back to the watcher thread,
/// which records what was read and schedules a retry when the reading asked for one.
///
/// Each file's parent folder is watched, never the file (an atomic save replaces the inode), plus
/// the folder of every symlink on the way (see ``PathResolver``). Events are matched by watch
/// descriptor and name; a batch of events is handled before any read, so a burst is one read.
/// Where inotify cannot serve (no instance: EMFILE; a watch refused: ENOSPC, inotify(7)), or the
/// stream says `watch_mode: poll`, the file is polled by stat every `poll_interval` instead and
/// its ``WatchStatus`` says so. A slow reconciliation stat of every file (``WatchTiming``) catches
/// what inotify never reports, such as a write through a shared mapping (no IN_MODIFY, mmap(2)).
public final class FileWatcher: MirrorSource, InotifyLoopDriver, @unchecked Sendable {
    public typealias Handler = @Sendable (_ file: Int, _ result: Result<FileContent, FileReadError>, _ read: Reading) -> ReadVerdict
    /// Which look at the file a reading is (see ``ChangeScheduler/Read``).
    public typealias Reading = ChangeScheduler<ContinuousClock.Instant>.Read
    /// Runs a read and its handler off the watcher thread. `sizeHint` is the file's size at the last
    /// read, if known, so big files can go to lower-priority workers.
    public typealias Executor = @Sendable (_ sizeHint: Int?, _ job: @escaping @Sendable () -> Void) -> Void

    typealias Instant = ContinuousClock.Instant

    private struct WatchedFile {
        let target: WatchedPath
        var resolution: PathResolution
        /// Folder → watch descriptor, for the folders this file needs (by Unicode scalars, as the
        /// file system names them).
        var watches: [ScalarString: Int32] = [:]
        var scheduler: ChangeScheduler<Instant>
        /// The identity the file had at the last read; nil while it is missing.
        var lastIdentity: FileIdentity?
        /// When the file is stat'ed next while it is polled.
        var poll: PollSchedule<Instant>
        /// A read is with the executor.
        var reading = false
        /// What became due while a read was in flight (only the newest is kept).
        var pendingRead: ChangeScheduler<Instant>.Read?

        var path: String { target.path }
    }

    /// What a read on the executor reports back to the watcher thread.
    private struct Completion: Sendable {
        enum Outcome: Sendable { case done, notSettled, noReading }
        let index: Int
        let read: ChangeScheduler<Instant>.Read
        let outcome: Outcome
        /// What the path named when read (nil: missing); unused for `noReading`.
        let identity: FileIdentity?
    }

    private let clock = ContinuousClock()
    private let timing: WatchTiming
    /// What a read on the executor needs of its file: fixed at init, so executor threads never
    /// touch ``files``, which the watcher thread mutates (a copy-on-write of that array while a
    /// worker loads it would be a use after free).
    private let targets: [WatchedPath]
    private let logger: Logger
    private let handler: Handler
    private let executor: Executor
    /// The thread and the watches; a watch's users are indexes into ``files``.
    private let loop: InotifyLoop<Int, Void>
    private var files: [WatchedFile]
    private var nextReconcile: Instant?

    /// - Parameters:
    ///   - files: one per stream; the handler gets the index into this list.
    ///   - executor: where reads and the handler run; by default on the watcher thread itself.
    init(
        files: [WatchedPath],
        timing: WatchTiming,
        logger: Logger,
        executor: @escaping Executor = { _, job in job() },
        handler: @escaping Handler
    ) throws {
        self.timing = timing
        self.targets = files
        self.logger = logger
        self.handler = handler
        self.executor = executor
        // No instance when every file polls anyway; one that cannot be had is each file's fallback.
        self.loop = try InotifyLoop(enabled: files.contains { $0.policy.mode == .inotify })
        self.files = files.map { target in
            WatchedFile(
                target: target,
                resolution: PathResolver.resolve(target.path),
                scheduler: ChangeScheduler(timing: timing),
                poll: PollSchedule(interval: target.policy.pollInterval)
            )
        }
    }

    /// Watches `paths` (absolute) with the defaults: followed through same-owner symlinks, by
    /// inotify with the polling fallback, each read up to `readLimit` bytes.
    public convenience init(
        paths: [String],
        timing: WatchTiming,
        readLimit: Int,
        logger: Logger,
        executor: @escaping Executor = { _, job in job() },
        handler: @escaping Handler
    ) throws {
        try self.init(
            files: paths.map { WatchedPath(path: $0, readLimit: readLimit) }, timing: timing, logger: logger,
            executor: executor, handler: handler
        )
    }

    /// Sets up the watches, reads every file once (as settled: this is the state to serve from the
    /// start), and starts the watcher thread. Watches come first so no change falls between the two.
    public func start() {
        for index in files.indices { rewatch(index) }
        // The first reads happen here, one after another, so every stream has its state on return.
        for index in files.indices {
            finish(perform(index, ChangeScheduler<Instant>.Read(attempt: 1)), at: clock.now)
        }
        nextReconcile = timing.reconcileInterval.map { clock.now.advanced(by: $0) }
        loop.start(self)
    }

    /// Stops the thread, waits for it and removes the watches.
    public func stop() {
        loop.stop()
    }

    // MARK: - The loop, on the watcher thread

    func turn(at now: Instant) -> Instant? {
        if let reconcile = nextReconcile, reconcile <= now {
            for index in files.indices { recheck(index, at: now) }
            nextReconcile = timing.reconcileInterval.map { now.advanced(by: $0) }
        }
        for index in files.indices where files[index].poll.due(at: now) { recheck(index, at: now) }
        for index in files.indices {
            if let due = files[index].scheduler.due(at: now) { read(index, due, at: now) }
        }
        return (files.compactMap(\.scheduler.deadline) + files.compactMap(\.poll.next) + [nextReconcile].compactMap { $0 }).min()
    }

    func handle(_ events: [InotifyEvent], at now: Instant) {
        for event in events { handle(event, at: now) }
    }

    private func handle(_ event: InotifyEvent, at now: Instant) {
        let mask = Int32(bitPattern: event.mask)
        if mask & IN_Q_OVERFLOW != 0 {
            // The kernel dropped events: nothing can be trusted, so every file is looked at again.
            logger.warning("inotify queue overflowed; re-reading every stream")
            for index in files.indices {
                rewatch(index)
                files[index].scheduler.writeEnded(at: now)
            }
            return
        }
        let fileIndexes = loop.users(of: event.watch).keys
        guard !fileIndexes.isEmpty else { return }
        if mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            // The folder itself is gone or moved: its watch no longer sees the path. Resolve again.
            if mask & IN_IGNORED != 0 { forget(event.watch) }
            for index in fileIndexes { recheck(index, at: now) }
            return
        }
        for index in fileIndexes {
            let file = files[index]
            let resolution = file.resolution
            let targetWatch = file.watches[ScalarString(resolution.watchedTargetDirectory)]
            let targetFolderExists = resolution.watchedTargetDirectory.hasSameScalars(as: resolution.targetDirectory)
            if event.watch == targetWatch && targetFolderExists && event.name.hasSameScalars(as: resolution.targetName) {
                logger.trace("event", metadata: ["watch.path": "\(file.path)", "inotify.mask": "\(event.mask)"])
                if mask & (IN_MOVED_TO | IN_CREATE) != 0 {
                    // A new entry under the name may be a symlink now (`ln -sf`): follow it from here on.
                    rewatch(index)
                }
                if mask & (IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                    files[index].scheduler.writeEnded(at: now)
                } else if mask & (IN_DELETE | IN_MOVED_FROM) != 0 {
                    files[index].scheduler.vanished(at: now)
                } else if mask & (IN_MODIFY | IN_CREATE) != 0 {
                    files[index].scheduler.modified(at: now)
                } else if mask & IN_ATTRIB != 0 {
                    // A chmod, chown or touch: read again only if the file is another now (its
                    // ctime moved), so an unreadable file that became readable is mirrored again.
                    recheck(index, at: now)
                }
            } else if event.watch != targetWatch || !targetFolderExists
                || resolution.linkDirectories.contains(where: { file.watches[ScalarString($0)] == event.watch })
            {
                // A folder on the symlink chain (or an ancestor of a missing folder) changed:
                // the path may lead elsewhere now, and no event names the file itself.
                recheck(index, at: now)
            }
        }
    }

    /// Resolves the path again, moves the watches to match, and schedules a read if what the path
    /// names is not what was read last.
    private func recheck(_ index: Int, at now: Instant) {
        rewatch(index)
        // A read already scheduled will see whatever is there; rescheduling would only push it back.
        guard files[index].scheduler.deadline == nil else { return }
        let identity = FileIdentity.current(of: files[index].path)
        guard identity != files[index].lastIdentity else { return }
        if identity == nil {
            files[index].scheduler.vanished(at: now)
        } else {
            files[index].scheduler.writeEnded(at: now)
        }
    }

    /// Hands a due read to the executor, or keeps it pending while the file's last read is in flight.
    private func read(_ index: Int, _ read: ChangeScheduler<Instant>.Read, at now: Instant) {
        guard !files[index].reading else {
            files[index].pendingRead = read
            return
        }
        files[index].reading = true
        executor(files[index].lastIdentity.map { Int(clamping: $0.size) }) { [self] in
            let completion = perform(index, read)
            loop.execute { self.finish(completion, at: self.clock.now) }
        }
    }

    /// Reads the file and hands the reading to the handler; runs on the executor (or, for the first
    /// reads, on the thread that starts the watcher). Touches no watcher-thread state: only the
    /// immutable ``targets``.
    private func perform(_ index: Int, _ read: ChangeScheduler<Instant>.Read) -> Completion {
        let target = targets[index]
        let path = target.path
        let result: Result<FileContent, FileReadError>
        do {
            result = .success(try FileReader.read(path: path, limit: target.readLimit, symlinks: target.symlinks))
        } catch {
            result = .failure(error)
        }
        let identity: FileIdentity?
        switch result {
        case .failure(let error) where error.isNoReading:
            // Nothing goes to the stream, and the file is looked at again.
            logger.debug("no reading of the watched file; trying again", metadata: ["watch.path": "\(path)", "error": "\(error)"])
            return Completion(index: index, read: read, outcome: .noReading, identity: nil)
        case .success(let content): identity = content.identity
        case .failure(let error) where error.isMissing: identity = nil
        // Unreadable but present: remember what is there so the reconciliation does not re-read it each tick.
        case .failure: identity = FileIdentity.current(of: path)
        }
        let verdict = handler(index, result, read)
        return Completion(index: index, read: read, outcome: verdict == .notSettled ? .notSettled : .done, identity: identity)
    }

    /// Takes a finished read back on the watcher thread.
    private func finish(_ completion: Completion, at now: Instant) {
        let index = completion.index
        files[index].reading = false
        if completion.outcome != .noReading {
            files[index].lastIdentity = completion.identity
        }
        if let pending = files[index].pendingRead {
            // Something happened since this read began: the newest due read goes now, and this
            // reading's own retry, if it wanted one, is part of it.
            files[index].pendingRead = nil
            read(index, pending, at: now)
            return
        }
        switch completion.outcome {
        case .done: break
        case .notSettled: files[index].scheduler.retry(after: completion.read, at: now)
        case .noReading: files[index].scheduler.noReading(completion.read, at: now)
        }
    }

    // MARK: - Watch bookkeeping

    /// Resolves the path and moves the watches to match; a folder that cannot be watched (or
    /// `watch_mode: poll`) makes the file polled, and each watch is tried again at every poll, so
    /// inotify takes over again once it can (a watch freed under the ENOSPC limit).
    private func rewatch(_ index: Int) {
        let resolution = PathResolver.resolve(files[index].path)
        files[index].resolution = resolution
        let wanted = files[index].target.policy.mode == .poll ? [] : resolution.directories
        for (path, wd) in files[index].watches where !wanted.contains(path) {
            files[index].watches[path] = nil
            release(wd, by: index)
        }
        var mode: WatchStatus.Mode = files[index].target.policy.mode == .poll ? .polling(reason: "watch_mode: poll") : .inotify
        for path in wanted where files[index].watches[path] == nil {
            do {
                files[index].watches[path] = try loop.watch(directory: path.string, for: index, as: ())
            } catch {
                if !mode.isPolling { mode = .polling(reason: error.description) }
            }
        }
        files[index].target.status.record(mode, path: files[index].path, logger: logger)
        files[index].poll.polled(mode.isPolling, at: clock.now)
    }

    private func release(_ wd: Int32, by index: Int) {
        // Two folders of one file may be one inode (a symlinked folder): the watch stays while any is.
        guard !files[index].watches.values.contains(wd) else { return }
        loop.release(wd, by: index)
    }

    /// The kernel dropped a watch (its folder was deleted): forget it without removing it again.
    private func forget(_ wd: Int32) {
        for index in loop.forget(wd).keys {
            files[index].watches = files[index].watches.filter { $0.value != wd }
        }
    }
}

import Glibc
import Logging
import MirrorDocument

/// Follows every line stream's log as `tail -F` does, on one thread around one inotify instance.
///
/// A log is read on every change, without debounce: a writer keeps its log open, and every wait
/// risks losing lines at a rotation. Each file is read from its open descriptor at its offset
/// (`pread`, up to ``chunkSize`` at a time), never opened again by name, so a 5 GB log costs
/// nothing but what is appended. The parent folder is watched for the name (as ``FileWatcher``
/// does); each open file is watched through `/proc/self/fd/N`, so it is seen to grow after it was
/// renamed away or deleted. What to do at a rotation or a truncation is ``LogFollower``'s decision;
/// this class only carries it out.
///
/// Where inotify cannot serve, or the stream says `watch_mode: poll`, the name and every open file
/// are looked at every `poll_interval` instead (the stream's ``WatchStatus`` says which).
///
/// Streams with a backlog are read round robin, one chunk each in turn, with inotify looked at
/// between rounds, so one stream catching up on a big backlog does not hold up the others.
public final class LineSource: MirrorSource, InotifyLoopDriver, @unchecked Sendable {
    typealias Instant = ContinuousClock.Instant

    /// The most read at once from one file: one `appended` event at most (see ``LineStream``).
    static let chunkSize = 1 << 20
    /// The most held back from a new file while the old one drains; past it the new file is left
    /// unread until it is its turn (its bytes wait in the file).
    static let heldLimit = 16 << 20
    /// The longest a stream's reading waits for a subscriber that cannot take more: past it the
    /// subscriber is left behind (and closed at the server's bound, to resume from the history).
    static let longestPause: Duration = .seconds(1)
    /// How often a paused stream looks again whether its subscribers drained.
    static let pausePollMilliseconds = 2

    private struct Followed {
        let stream: LineStream
        var follower: LogFollower<Instant>
        var logs: [LogFileKey: OpenLog] = [:]
        var resolution: PathResolution
        /// Folder → watch descriptor (by Unicode scalars, as the file system names folders).
        var folders: [ScalarString: Int32] = [:]
        /// When the name and the open files are looked at next, while inotify cannot serve (a
        /// folder or a file could not be watched) or the stream polls by config.
        var poll: PollSchedule<Instant>
        /// Why a folder (at the last rewatch) or an open file (at its adoption) could not be watched.
        var folderWatchFailure: String?
        var fileWatchFailure: String?

        /// Why the stream is polled, if it is.
        var pollReason: String? {
            if stream.config.watching.mode == .poll { return "watch_mode: poll" }
            return folderWatchFailure ?? (logs.values.contains { $0.watch == nil } ? fileWatchFailure ?? "an open log is not watched" : nil)
        }
        /// Since when reading has waited for a subscriber whose socket is full.
        var pausedSince: Instant?
    }

    /// What a watch serves: a stream's folders (for the name), or one of its open files.
    enum Target: Hashable {
        case folder(Int)
        case file(Int, LogFileKey)
    }

    private struct FileRef: Hashable {
        let stream: Int
        let key: LogFileKey
    }

    private let clock = ContinuousClock()
    private let timing: WatchTiming
    private let logger: Logger
    /// The thread and the watches.
    private let loop: InotifyLoop<Target, Void>
    private var followed: [Followed]
    private var queue: [FileRef] = []
    private var queued: Set<FileRef> = []
    /// Queued turns that wait for their subscribers; any other queued turn reads at once.
    private var paused = 0
    private var nextReconcile: Instant?
    private let buffer: UnsafeMutableRawBufferPointer

    /// - Parameter quiet: how long an old file must not grow, after a rotation, before it is closed
    ///   and the new file's lines go out (1 s; shorter in tests).
    init(streams: [LineStream], timing: WatchTiming, quiet: Duration = .seconds(1), logger: Logger) throws {
        self.timing = timing
        self.logger = logger
        self.loop = try InotifyLoop(enabled: streams.contains { $0.config.watching.mode == .inotify })
        self.followed = streams.map {
            Followed(
                stream: $0, follower: LogFollower(quiet: quiet), resolution: PathResolver.resolve($0.config.watchPath),
                poll: PollSchedule(interval: $0.config.watching.pollInterval)
            )
        }
        self.buffer = .allocate(byteCount: Self.chunkSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
    }

    /// Watches each log's folder, then publishes its last lines (or `[]` for a missing log) and
    /// starts the thread that follows them all.
    public func start() {
        // A stream that waits for its subscribers reads on as soon as they drain.
        for entry in followed { entry.stream.hub.onDrained { [weak self] in self?.loop.wake() } }
        for index in followed.indices {
            rewatch(index)
            begin(index)
        }
        nextReconcile = timing.reconcileInterval.map { clock.now.advanced(by: $0) }
        loop.start(self)
    }

    /// Stops the thread, removes the watches and closes every open log.
    public func stop() {
        guard loop.stop() else { return }
        for index in followed.indices { followed[index].logs.removeAll() }
    }

    // MARK: - The first look

    private func begin(_ index: Int) {
        let stream = followed[index].stream
        let config = stream.config
        let fd: Int32
        do {
            fd = try SymlinkWalk.open(config.watchPath, policy: config.symlinks)
        } catch {
            stream.start(with: LineBatch())
            if !error.isMissing { stream.invalid(error.description(watch: config.watch, watchPath: config.watchPath)) }
            return
        }
        var info = stat()
        fstat(fd, &info)
        let key = LogFileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        let size = Int64(info.st_size)
        let log = OpenLog(key: key, descriptor: fd, maxLine: config.lines.maxLine)
        let head = LogTail.read(fd, from: 0, count: min(BinaryContent.sampleSize, Int(size)))
        if !head.isEmpty && BinaryContent.isBinary(head) {
            log.binary = true
            stream.binary(size: size, sha256: digest(fd, size: size, limit: config.maxSize))
            adopt(index, log, offset: size, size: size)
            return
        }
        log.binary = size > 0 ? false : nil
        let wanted = config.lines.tail
        let found = LogTail.read(fd, size: size) { region in
            var passing = 0
            var splitter = LineSplitter(maxLine: config.lines.maxLine)
            region.withUnsafeBytes { splitter.split($0) { line in if config.lines.passes(line) { passing += 1 } } }
            return passing >= wanted
        }
        stream.start(with: lastLines(of: found.bytes, stream: stream))
        if found.endsWithCR { log.splitter.resumeAfterCR() }
        adopt(index, log, offset: found.end, size: size)
    }

    /// The last `tail` lines of `region` that pass the filters, encoded.
    private func lastLines(of region: [UInt8], stream: LineStream) -> LineBatch {
        let config = stream.config
        var ranges: [Range<Int>] = []
        var splitter = LineSplitter(maxLine: config.lines.maxLine)
        region.withUnsafeBytes { bytes in
            splitter.split(bytes) { line in
                guard config.lines.passes(line) else { return }
                let start = line.baseAddress.map { $0 - bytes.baseAddress! } ?? 0
                ranges.append(start..<start + line.count)
            }
        }
        var batch = LineBatch()
        region.withUnsafeBytes { bytes in
            for range in ranges.suffix(config.lines.tail) {
                batch.append { stream.encodeLine(UnsafeRawBufferPointer(rebasing: bytes[range]), into: &$0) }
            }
        }
        return batch
    }

    // MARK: - The loop, on the source thread

    /// Whether a stream's next read waits: a log's bytes are safe in the file, so reading runs no
    /// faster than the subscribers take them, rather than queue bytes a client is closed for. A
    /// subscriber that stays full for ``longestPause`` is left behind until none is full.
    private func waitsForSubscribers(_ index: Int, at now: Instant) -> Bool {
        guard followed[index].stream.hub.isBacklogged else {
            followed[index].pausedSince = nil
            return false
        }
        let since = followed[index].pausedSince ?? now
        followed[index].pausedSince = since
        return since.duration(to: now) < Self.longestPause
    }

    func turn(at now: Instant) -> Instant? {
        if let reconcile = nextReconcile, reconcile <= now {
            for index in followed.indices { recheckAll(index) }
            nextReconcile = timing.reconcileInterval.map { now.advanced(by: $0) }
        }
        for index in followed.indices where followed[index].poll.due(at: now) { recheckAll(index) }
        // One round: one chunk from each file with something to read, but none for a stream
        // that waits for its subscribers (its turn stays in the queue).
        let round = queue
        queue.removeAll(keepingCapacity: true)
        queued.removeAll(keepingCapacity: true)
        paused = 0
        for ref in round {
            if waitsForSubscribers(ref.stream, at: now) {
                paused += 1
                enqueue(ref)
            } else if service(ref) {
                enqueue(ref)
            }
        }
        for index in followed.indices { retireQuiet(index) }
        // Straight on while a file has more to read; a paused stream looks again shortly.
        let after = clock.now
        if queue.count > paused { return after }
        let deadline = (followed.compactMap(\.follower.deadline) + followed.compactMap(\.poll.next) + [nextReconcile].compactMap { $0 }).min()
        guard paused > 0 else { return deadline }
        let soon = after.advanced(by: .milliseconds(Self.pausePollMilliseconds))
        return deadline.map { min($0, soon) } ?? soon
    }

    func handle(_ events: [InotifyEvent], at now: Instant) {
        for event in events { handle(event) }
    }

    private func handle(_ event: InotifyEvent) {
        let mask = Int32(bitPattern: event.mask)
        if mask & IN_Q_OVERFLOW != 0 {
            logger.warning("inotify queue overflowed; looking at every log again")
            for index in followed.indices { recheckAll(index) }
            return
        }
        let targets = loop.users(of: event.watch).keys
        guard !targets.isEmpty else { return }
        if mask & IN_IGNORED != 0 {
            // The kernel dropped the watch (its folder or file is gone): forget it, look again.
            loop.forget(event.watch)
            for target in targets {
                switch target {
                case .folder(let index):
                    followed[index].folders = followed[index].folders.filter { $0.value != event.watch }
                    recheckAll(index)
                case .file(let index, let key):
                    followed[index].logs[key]?.watch = nil
                }
            }
            return
        }
        for target in targets {
            switch target {
            case .file(let index, let key):
                enqueue(FileRef(stream: index, key: key))
            case .folder(let index):
                let resolution = followed[index].resolution
                let targetWatch = followed[index].folders[ScalarString(resolution.watchedTargetDirectory)]
                let folderExists = resolution.watchedTargetDirectory.hasSameScalars(as: resolution.targetDirectory)
                if event.watch == targetWatch && folderExists && !event.name.isEmpty {
                    // Only the name matters here; growth is seen through the file's own watch.
                    // IN_ATTRIB: a chmod may have made a log that could not be opened readable.
                    if event.name.hasSameScalars(as: resolution.targetName) && mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB) != 0 {
                        recheckName(index)
                    }
                } else if mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                    // A folder on a symlink chain, or above a missing folder, changed.
                    recheckName(index)
                }
            }
        }
    }

    /// Looks at the name and at every open file (after an overflow, or when polling).
    private func recheckAll(_ index: Int) {
        recheckName(index)
        for key in followed[index].logs.keys { enqueue(FileRef(stream: index, key: key)) }
    }

    /// Whether the name names a new file now (a rotation, or the log appeared): opens and adopts it.
    private func recheckName(_ index: Int) {
        rewatch(index)
        let config = followed[index].stream.config
        let named = FileIdentity.current(of: config.watchPath).map { LogFileKey(device: $0.device, inode: $0.inode) }
        guard followed[index].follower.nameNames(named, at: clock.now) else { return }
        let fd: Int32
        do {
            fd = try SymlinkWalk.open(config.watchPath, policy: config.symlinks)
        } catch {
            if !error.isMissing && !error.isNoReading {
                followed[index].stream.invalid(error.description(watch: config.watch, watchPath: config.watchPath))
            }
            return
        }
        var info = stat()
        fstat(fd, &info)
        let key = LogFileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        guard followed[index].logs[key] == nil else {
            close(fd)
            return
        }
        logger.debug("following a new file of the log", metadata: ["watch.path": "\(config.watch)", "file": "\(key)"])
        // A new file is read from its start: everything in it was written after the rotation.
        adopt(index, OpenLog(key: key, descriptor: fd, maxLine: config.lines.maxLine), offset: 0, size: Int64(info.st_size))
    }

    private func adopt(_ index: Int, _ log: OpenLog, offset: Int64, size: Int64) {
        followed[index].follower.adopt(log.key, offset: offset, size: size, at: clock.now)
        followed[index].logs[log.key] = log
        if followed[index].stream.config.watching.mode == .inotify {
            do {
                log.watch = try loop.watch(descriptor: log.descriptor, for: .file(index, log.key), as: ())
            } catch {
                followed[index].fileWatchFailure = error.description
            }
        }
        updateMode(index)
        enqueue(FileRef(stream: index, key: log.key))
    }

    private func enqueue(_ ref: FileRef) {
        if queued.insert(ref).inserted { queue.append(ref) }
    }

    // MARK: - Reading

    /// Reads one chunk of the file, if it grew; handles a truncation. Returns whether more may be
    /// waiting (the chunk was full).
    private func service(_ ref: FileRef) -> Bool {
        guard let log = followed[ref.stream].logs[ref.key], let size = log.size() else { return false }
        let stream = followed[ref.stream].stream
        let held = followed[ref.stream].follower.isHeld(ref.key)
        let now = clock.now
        switch followed[ref.stream].follower.saw(size: size, of: ref.key, at: now) {
        case .idle:
            return false
        case .truncated(let lost):
            if held {
                log.held.append(.truncated(size: size, lost: lost))
            } else {
                truncated(log, stream, size: size, lost: lost)
            }
            return size > 0
        case .read(let offset):
            if held && log.heldBytes >= Self.heldLimit { return false }
            if !held { stream.readStarted = now }
            if !held && log.binary == true {
                // Binary content is never split into lines: skip to the end, publish the metadata.
                followed[ref.stream].follower.read(Int(size - offset), of: ref.key, at: now)
                stream.binary(size: size, sha256: digest(log.descriptor, size: size, limit: stream.config.maxSize))
                return false
            }
            var got: Int
            repeat { got = pread(log.descriptor, buffer.baseAddress, buffer.count, off_t(offset)) } while got < 0 && errno == EINTR
            guard got > 0 else { return false }
            followed[ref.stream].follower.read(got, of: ref.key, at: now)
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<got])
            if held {
                log.held.append(.bytes(Array(bytes), atStart: offset == 0))
                log.heldBytes += got
            } else {
                deliver(bytes, atStart: offset == 0, log, stream, more: got == buffer.count || offset + Int64(got) < size)
            }
            return got == buffer.count || offset + Int64(got) < size
        }
    }

    /// Publishes what was read of the oldest file.
    /// `more`: the file holds more to read now (the stream's state need not catch up yet).
    private func deliver(_ bytes: UnsafeRawBufferPointer, atStart: Bool, _ log: OpenLog, _ stream: LineStream, more: Bool = false) {
        if atStart || log.binary == nil {
            log.binary = BinaryContent.isBinary(bytes.prefix(BinaryContent.sampleSize))
        }
        if log.binary == true {
            if let size = log.size() {
                stream.binary(size: size, sha256: digest(log.descriptor, size: size, limit: stream.config.maxSize))
            }
            return
        }
        // The common read: whole lines and a last fragment, LF only. Its lines go in one pass.
        if log.splitter.isClean, let end = Self.endOfLastLine(bytes), memchr(bytes.baseAddress!, 0x0D, end) == nil,
            stream.takeWhole(UnsafeRawBufferPointer(rebasing: bytes[..<end]), maxLine: log.splitter.maxLine)
        {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[end...])
            stream.take { line in log.splitter.split(rest, line) }
        } else {
            stream.take { line in log.splitter.split(bytes, line) }
        }
        stream.flush(caughtUp: !more)
    }

    /// Where the bytes after the last LF begin, if there is one (the last line is most often
    /// within a line's length of the end, so the search runs backwards).
    private static func endOfLastLine(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = bytes.count
        while index > 0 {
            if bytes[index - 1] == 0x0A { return index }
            index -= 1
        }
        return nil
    }

    private func truncated(_ log: OpenLog, _ stream: LineStream, size: Int64, lost: Int64) {
        let fragment = log.splitter.reset()
        log.binary = nil
        stream.truncated(size: size, lost: lost, fragment: fragment)
    }

    /// Retires the oldest file of a log once a newer one exists and it has been quiet: reads it to
    /// its end once more, hands on its last fragment, closes it, and sends what the next file held.
    private func retireQuiet(_ index: Int) {
        while let key = followed[index].follower.retirable(at: clock.now), let log = followed[index].logs[key] {
            let ref = FileRef(stream: index, key: key)
            var more = true
            while more { more = service(ref) }
            // Growth just now makes it wait again.
            guard followed[index].follower.retirable(at: clock.now) == key else { return }
            let stream = followed[index].stream
            if log.binary != true {
                log.splitter.flush { stream.take($0) }
                stream.flush()
            }
            logger.debug("done with an old file of the log", metadata: ["watch.path": "\(stream.config.watch)", "file": "\(key)"])
            followed[index].follower.retire(key)
            followed[index].logs[key] = nil
            if let wd = log.watch { loop.release(wd, by: .file(index, key)) }
            if let next = followed[index].follower.files.first.flatMap({ followed[index].logs[$0.key] }) {
                release(held: next, stream)
                enqueue(FileRef(stream: index, key: next.key))
            }
        }
    }

    /// Sends what a file read while it was held back, in the order it came.
    private func release(held log: OpenLog, _ stream: LineStream) {
        let items = log.held
        log.held = []
        log.heldBytes = 0
        for item in items {
            switch item {
            case .bytes(let bytes, let atStart):
                bytes.withUnsafeBytes { deliver($0, atStart: atStart, log, stream) }
            case .truncated(let size, let lost):
                truncated(log, stream, size: size, lost: lost)
            }
        }
    }

    /// SHA-256 of a binary log, read in bounded blocks; nil above the stream's `max_size`.
    private func digest(_ fd: Int32, size: Int64, limit: Int) -> String? {
        guard size <= Int64(limit) else { return nil }
        var digest = ContentDigest()
        var offset: Int64 = 0
        while offset < size {
            let got = pread(fd, buffer.baseAddress, min(buffer.count, Int(size - offset)), off_t(offset))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<got]))
            offset += Int64(got)
        }
        return digest.hex()
    }

    // MARK: - Watch bookkeeping

    /// Resolves the path and moves the folder watches to match (none for `watch_mode: poll`); a
    /// watch refused makes the stream polled, and is tried again at every poll.
    private func rewatch(_ index: Int) {
        let config = followed[index].stream.config
        let resolution = PathResolver.resolve(config.watchPath)
        followed[index].resolution = resolution
        let wanted = config.watching.mode == .poll ? [] : resolution.directories
        for (path, wd) in followed[index].folders where !wanted.contains(path) {
            followed[index].folders[path] = nil
            // Two folders of the chain may be one inode: the watch stays while any of them is wanted.
            if !followed[index].folders.values.contains(wd) { loop.release(wd, by: .folder(index)) }
        }
        var failure: String?
        for path in wanted where followed[index].folders[path] == nil {
            do {
                followed[index].folders[path] = try loop.watch(directory: path.string, for: .folder(index), as: ())
            } catch {
                failure = failure ?? error.description
            }
        }
        followed[index].folderWatchFailure = failure
        updateMode(index)
    }

    /// Records the mode in force (logged once when it changes) and starts or stops the polling.
    private func updateMode(_ index: Int) {
        let entry = followed[index]
        let mode: WatchStatus.Mode = entry.pollReason.map { .polling(reason: $0) } ?? .inotify
        entry.stream.watchStatus.record(mode, path: entry.stream.config.watch, logger: logger)
        followed[index].poll.polled(mode.isPolling, at: clock.now)
    }

}

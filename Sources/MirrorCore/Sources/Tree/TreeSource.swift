import Dispatch
import Glibc
import Logging
import MirrorDocument

/// Watches every directory stream through one inotify instance, on one thread, and has the keys
/// that may have changed looked at on workers (``TreeStream``).
///
/// The watcher thread only keeps the map of folders (``DirectoryTree``, ``WatchRegistry``), reads
/// events and lists folders that appear; it never opens a file, so hashing a 1 GB file cannot keep
/// it from reading events. What it decides is which keys to look at:
///
/// - a file closed after writing (IN_CLOSE_WRITE) at once, for its content; IN_CREATE or IN_MODIFY
///   with no close yet once writes settle (``WatchTiming/settle``, at most
///   ``WatchTiming/maximumDelay`` after the first), for its size and mtime only: until its writer
///   closes it, the file is `writing` (``TreeLookReason/writing``) and never hashed, however long
///   the writer pauses, and whoever the writer is (inotify reports every user's writes; no lease or
///   timing is needed);
/// - a name that came or went (IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE, IN_ATTRIB) at once, for
///   its presence (a renamed file keeps its entry without a new hash);
/// - a new folder (IN_CREATE or IN_MOVED_TO with IN_ISDIR): watched first, then listed, then each
///   subfolder the same way, so a file created meanwhile is seen by the listing or by an event
///   (both name the same key, which is looked at once);
/// - a folder deleted or moved away (IN_DELETE, IN_MOVED_FROM with IN_ISDIR): its watches go, and
///   every file it held is looked at (and found gone). A rename inside the tree is both: the old
///   subtree goes, the new one is listed, and its files keep their entries by identity. No cookie
///   pairing is needed, and a pair split across two reads is handled the same;
/// - a queue overflow: every folder listed again, every key looked at (unchanged files cost a stat).
///
/// The keys gathered while a stream's batch is being looked at wait and go as the next batch, so
/// 500 files created at once are one or a few versions, while one file changed alone goes out at
/// once. A missing root (a CI artifacts folder not made yet, or deleted) is an empty document; the
/// nearest existing ancestor is watched until the root appears.
final class TreeSource: MirrorSource, InotifyLoopDriver, @unchecked Sendable {
    typealias Instant = ContinuousClock.Instant

    private struct Tree {
        let stream: TreeStream
        var folders = DirectoryTree()
        /// The watch on the nearest existing ancestor while the root is missing, and the name in it
        /// that leads to the root.
        var ancestor: (watch: Int32, next: String)?
        // Keys are compared by Unicode scalars (``ScalarString``): two spellings, two files.
        var dirty: [ScalarString: TreeLookReason] = [:]
        /// Files written but not closed yet: when to look, and when the first write came.
        var modified: [ScalarString: (deadline: Instant, first: Instant)] = [:]
        /// Files with an IN_CREATE or IN_MODIFY since their last IN_CLOSE_WRITE: a writer holds them
        /// open. A queue overflow may have lost a file's close, so after one each stays `writing`
        /// until an event names it or ``unseenWriterQuiet`` passes without one, as a file found
        /// unseen does (before, a lost close kept it `writing` for good, and a CI job waited).
        var writing: Set<ScalarString> = []
        /// What a move took out of `writing`, by inotify cookie, until the move's other half names
        /// where it went (a file renamed, or a folder moved, while a writer holds it): the paths
        /// relative to what moved, `""` for a file itself. Bounded: a half that never comes (moved
        /// out of the tree) is forgotten with the rest past ``movesKept``.
        var movedWriting: [UInt32: [String]] = [:]
        /// Files found by listing a folder made after the start, before its watch existed: their
        /// writer may have opened (and written) them unseen, so they count as `writing` until an
        /// event names them or, with none, ``unseenWriterQuiet`` has passed (their writer closed
        /// before the watch, or pauses that long without a write).
        var unseen: [ScalarString: Instant] = [:]
        var inFlight = false
        var firstPublished = false
        /// Why inotify cannot serve this tree (a folder's watch refused, no instance): it is polled
        /// instead, every `poll_interval`.
        var pollReason: String?
        /// When a tree polled for a refused watch tries inotify again (``watchRetryInterval``).
        var watchRetry: Instant?
        var poll: PollSchedule<Instant>
        var warnedNames: Set<ScalarString> = []
    }

    private let clock = ContinuousClock()
    private let timing: WatchTiming
    private let logger: Logger
    private let executor: TreeStream.Executor
    /// The thread and the watches: a watch's user is a tree, for one of its folders (relative to
    /// its root), or, with nil, for the nearest existing ancestor of its missing root.
    private let loop: InotifyLoop<Int, String?>
    private var trees: [Tree]
    private let firstStates = DispatchSemaphore(value: 0)

    init(streams: [TreeStream], timing: WatchTiming, logger: Logger, executor: @escaping TreeStream.Executor) throws {
        self.timing = timing
        self.logger = logger
        self.executor = executor
        self.loop = try InotifyLoop()
        self.trees = streams.map { Tree(stream: $0, poll: PollSchedule(interval: $0.config.watching.pollInterval)) }
        if let unavailable = loop.unavailable {
            for index in trees.indices { startPolling(index, reason: "\(unavailable)") }
        }
    }

    /// Lists every tree and starts the watcher thread; returns once every stream has its first
    /// state (the first scan of a big tree logs its progress meanwhile).
    func start() {
        for index in trees.indices { attachRoot(index) }
        // Counted before the thread starts: from then on only the watcher thread touches `trees`.
        let count = trees.count
        loop.start(self)
        for _ in 0..<count { firstStates.wait() }
    }

    /// Stops the watcher thread and removes every watch. A batch on the workers still publishes;
    /// the engine waits for it when it shuts its workers down.
    func stop() {
        loop.stop()
    }

    // MARK: - The loop, on the watcher thread

    func turn(at now: Instant) -> Instant? {
        dispatch(at: now)
        pollDue(at: clock.now)
        let deadlines = trees.lazy.flatMap { $0.modified.values.lazy.map(\.deadline) }
        let unseen = trees.lazy.flatMap { $0.unseen.values }
        return (Array(deadlines) + Array(unseen) + trees.compactMap(\.poll.next)).min()
    }

    func handle(_ events: [InotifyEvent], at now: Instant) {
        var overflowed = false
        for event in events {
            if Int32(bitPattern: event.mask) & IN_Q_OVERFLOW != 0 {
                overflowed = true
                continue
            }
            for (tree, folder) in loop.users(of: event.watch) {
                if let folder {
                    handle(event, tree: tree, folder: folder)
                } else if event.name.isEmpty || trees[tree].ancestor.map({ event.name.hasSameScalars(as: $0.next) }) == true {
                    attachRoot(tree, fresh: true)
                }
            }
            if Int32(bitPattern: event.mask) & IN_IGNORED != 0 { loop.forget(event.watch) }
        }
        if overflowed {
            // The kernel dropped events: every folder is listed again and every key looked at.
            logger.warning("inotify queue overflowed; rescanning every tree")
            let quietUntil = clock.now.advanced(by: Self.unseenWriterQuiet)
            for index in trees.indices {
                for key in trees[index].writing where trees[index].unseen[key] == nil {
                    trees[index].unseen[key] = quietUntil
                }
                for key in trees[index].folders.files { mark(index, key.string, .presence) }
                attachRoot(index)
            }
        }
    }

    private func handle(_ event: InotifyEvent, tree index: Int, folder: String) {
        let mask = Int32(bitPattern: event.mask)
        if mask & IN_IGNORED != 0 {
            // The kernel dropped the watch: the folder is gone (or was unwatched by us already).
            if trees[index].folders.folders[ScalarString(folder)] == event.watch { removeSubtree(index, folder) }
            if folder.isEmpty { attachRoot(index, fresh: true) }
            return
        }
        if mask & (IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            // The root itself went (a subfolder's going is seen in its parent).
            if folder.isEmpty { attachRoot(index, fresh: true) }
            return
        }
        guard !event.name.isEmpty else { return }
        let key = folder.isEmpty ? event.name : folder + "/" + event.name
        guard nameIsText(index, event.name, key: key) else { return }
        // Before the ignore rules and the glob: a temp name being written may be renamed to one
        // that matches while its writer still holds it.
        let fromOutside = trackWriting(index, key, event)
        let stream = trees[index].stream
        if stream.ignore.ignores(key) { return }
        if mask & IN_ISDIR != 0 {
            if mask & (IN_DELETE | IN_MOVED_FROM) != 0 { removeSubtree(index, key) }
            // A folder made now may hold files already, opened before its watch existed.
            if mask & (IN_CREATE | IN_MOVED_TO) != 0 { attach(index, folder: key, fresh: mask & IN_CREATE != 0 || fromOutside) }
            return
        }
        guard stream.glob.matches(key) else { return }
        if mask & IN_CLOSE_WRITE != 0 {
            trees[index].folders.add(file: key)
            trees[index].modified[ScalarString(key)] = nil
            mark(index, key, .content)
        } else if mask & IN_MOVED_TO != 0 {
            trees[index].folders.add(file: key)
            trees[index].modified[ScalarString(key)] = nil
            if fromOutside { holdUnseen(index, key) }
            mark(index, key, .presence)
        } else if mask & (IN_DELETE | IN_MOVED_FROM) != 0 {
            trees[index].folders.remove(file: key)
            trees[index].modified[ScalarString(key)] = nil
            mark(index, key, .presence)
        } else if mask & (IN_CREATE | IN_MODIFY) != 0 {
            trees[index].folders.add(file: key)
            modified(index, key, at: clock.now)
        } else if mask & IN_ATTRIB != 0 {
            mark(index, key, .presence)
        }
    }

    /// How many moves' first halves are kept waiting for their second.
    static let movesKept = 1024

    /// Keeps `writing` true to inotify: an IN_CREATE or IN_MODIFY since the last IN_CLOSE_WRITE,
    /// carried along when the file (or a folder above it) is renamed within the tree. The two
    /// halves of a rename share a cookie (inotify(7)), also across folders and across reads.
    /// Returns true for an IN_MOVED_TO whose first half no watch of the tree saw: the file (or
    /// folder) came from outside, where a writer may hold it unseen.
    @discardableResult
    private func trackWriting(_ index: Int, _ key: String, _ event: InotifyEvent) -> Bool {
        let mask = Int32(bitPattern: event.mask)
        let folder = mask & IN_ISDIR != 0
        // An event names the file: from now on inotify knows its writer.
        if !folder { trees[index].unseen[ScalarString(key)] = nil }
        if mask & IN_MOVED_FROM != 0 {
            // Every first half is kept (with nothing to carry, too), so that its second half is
            // known to come from inside the tree.
            let moved = takeWriting(index, under: key, folder: folder)
            guard event.cookie != 0 else { return false }
            if trees[index].movedWriting.count >= Self.movesKept { trees[index].movedWriting = [:] }
            trees[index].movedWriting[event.cookie] = moved
        } else if mask & IN_MOVED_TO != 0 {
            // Another inode under the name: what was written there before is not it.
            _ = takeWriting(index, under: key, folder: folder)
            guard let carried = trees[index].movedWriting.removeValue(forKey: event.cookie) else { return true }
            for suffix in carried {
                trees[index].writing.insert(ScalarString(suffix.isEmpty ? key : key + "/" + suffix))
            }
        } else if folder {
            if mask & IN_DELETE != 0 { _ = takeWriting(index, under: key, folder: true) }
        } else if mask & (IN_CLOSE_WRITE | IN_DELETE) != 0 {
            trees[index].writing.remove(ScalarString(key))
        } else if mask & (IN_CREATE | IN_MODIFY) != 0 {
            trees[index].writing.insert(ScalarString(key))
        }
        return false
    }

    /// Takes out of `writing` the file `key`, or every file under the folder `key`, and returns
    /// their paths relative to it.
    private func takeWriting(_ index: Int, under key: String, folder: Bool) -> [String] {
        guard folder else { return trees[index].writing.remove(ScalarString(key)) == nil ? [] : [""] }
        let prefix = Array((key + "/").utf8)
        let inside = trees[index].writing.filter { $0.string.utf8.starts(with: prefix) }
        trees[index].writing.subtract(inside)
        return inside.map { String(decoding: $0.string.utf8.dropFirst(prefix.count), as: UTF8.self) }
    }

    /// inotify names are bytes; a name that is not UTF-8 cannot be a JSON key without changing it,
    /// so its file is left out, with a warning (once per name).
    private func nameIsText(_ index: Int, _ name: String, key: String) -> Bool {
        guard name.unicodeScalars.contains("\u{FFFD}") else { return true }
        warnNotText(index, key)
        return false
    }

    private func warnNotText(_ index: Int, _ key: String) {
        guard trees[index].warnedNames.count < 1000, trees[index].warnedNames.insert(ScalarString(key)).inserted else { return }
        logger.warning("a file or folder name is not valid UTF-8; left out of the tree", metadata: [
            "stream.path": "\(trees[index].stream.config.path)", "tree.key": "\(key)",
        ])
    }

    private func mark(_ index: Int, _ key: String, _ reason: TreeLookReason) {
        if trees[index].dirty[ScalarString(key)] != .content { trees[index].dirty[ScalarString(key)] = reason }
    }

    /// A write without a close: look once the writes settle, or at the latest the maximum delay
    /// after the first of them.
    private func modified(_ index: Int, _ key: String, at now: Instant) {
        let first = trees[index].modified[ScalarString(key)]?.first ?? now
        trees[index].modified[ScalarString(key)] = (min(now.advanced(by: timing.settle), first.advanced(by: timing.maximumDelay)), first)
    }

    /// How long a file found in a new folder (or moved in from outside the tree), and named by no
    /// event since, counts as `writing`.
    static let unseenWriterQuiet: Duration = .seconds(2)

    /// A file whose writer inotify may not have seen counts as `writing` until an event names it
    /// or ``unseenWriterQuiet`` passes without one.
    private func holdUnseen(_ index: Int, _ key: String, until quietUntil: Instant? = nil) {
        trees[index].writing.insert(ScalarString(key))
        trees[index].unseen[ScalarString(key)] = quietUntil ?? clock.now.advanced(by: Self.unseenWriterQuiet)
    }

    /// Hands each stream with keys to look at (and no batch in flight) its next batch.
    private func dispatch(at now: Instant) {
        for index in trees.indices {
            for (key, quietUntil) in trees[index].unseen where quietUntil <= now {
                trees[index].unseen[key] = nil
                trees[index].writing.remove(key)
                mark(index, key.string, .content)
            }
        }
        for index in trees.indices where !trees[index].inFlight {
            for (key, pending) in trees[index].modified where pending.deadline <= now {
                trees[index].modified[key] = nil
                mark(index, key.string, .content)
            }
            let tree = trees[index]
            guard !tree.dirty.isEmpty || !tree.firstPublished else { continue }
            let keys = tree.dirty.map { key, reason in
                (key: key.string, reason: tree.writing.contains(key) ? TreeLookReason.writing : reason)
            }
            trees[index].dirty = [:]
            trees[index].inFlight = true
            let jobs = keys.count >= TreeStream.bigBatch ? 2 : 1
            let batch = TreeBatch(keys: keys, jobs: jobs)
            tree.stream.process(batch, jobs: jobs, executor: executor) { [self] unsettled in
                loop.execute { self.finish(index, unsettled: unsettled) }
            }
        }
    }

    private func finish(_ index: Int, unsettled: [String]) {
        trees[index].inFlight = false
        if !trees[index].firstPublished {
            trees[index].firstPublished = true
            firstStates.signal()
        }
        let now = clock.now
        for key in unsettled where trees[index].modified[ScalarString(key)] == nil {
            trees[index].modified[ScalarString(key)] = (now.advanced(by: timing.settle), now)
        }
    }

    // MARK: - Folders

    /// Watches and lists the root if it is a folder now; otherwise everything known goes, and the
    /// nearest existing ancestor is watched until the root appears. `fresh`: the root appeared (or
    /// was replaced) after the start, so its files may have writers inotify has not seen.
    private func attachRoot(_ index: Int, fresh: Bool = false) {
        let root = trees[index].stream.glob.root
        if let ancestor = trees[index].ancestor {
            loop.release(ancestor.watch, by: index)
            trees[index].ancestor = nil
        }
        if FileIdentity.isDirectory(root) {
            attach(index, folder: "", fresh: fresh)
            // Watched, or why not is reported; only a root gone again meanwhile falls through.
            if trees[index].folders.folders[""] != nil || trees[index].pollReason != nil || loop.unavailable != nil { return }
        }
        removeSubtree(index, "")
        var path = root
        var next = ""
        repeat {
            next = PathText.name(of: path)
            path = PathText.directory(of: path)
        } while !FileIdentity.isDirectory(path) && path != "/"
        do {
            trees[index].ancestor = (try loop.watch(directory: path, for: index, as: nil), next)
        } catch {
            // Nothing would see the root come: the tree is polled, and each poll looks for it.
            let watch = trees[index].stream.config.watch
            startPolling(index, reason: Self.watchFailureMessage(watch: watch, missingRootAncestor: path, code: error.code))
        }
        // The root may have appeared between the check and the watch.
        if FileIdentity.isDirectory(root) { attachRoot(index, fresh: fresh) }
    }

    /// Forgets a folder and its subtree: its watches go, and every file it held is looked at.
    private func removeSubtree(_ index: Int, _ folder: String) {
        let (watches, files) = trees[index].folders.removeSubtree(folder)
        for watch in watches { loop.release(watch, by: index) }
        for key in files {
            trees[index].modified[ScalarString(key)] = nil
            trees[index].writing.remove(ScalarString(key))
            trees[index].unseen[ScalarString(key)] = nil
            mark(index, key, .presence)
        }
    }

    /// Watches a folder, then lists it, then each subfolder the same way: the watch comes first so
    /// that nothing created during the listing is missed.
    private func attach(_ index: Int, folder start: String, fresh: Bool = false) {
        let quietUntil = clock.now.advanced(by: Self.unseenWriterQuiet)
        let stream = trees[index].stream
        let root = stream.glob.root
        var stack = [start]
        while let folder = stack.popLast() {
            let path = folder.isEmpty ? root : root + "/" + folder
            do {
                // The root may be reached through a symlink (the operator named it); nothing inside is.
                let mask = folder.isEmpty ? Inotify.treeMask & ~Inotify.dontFollow : Inotify.treeMask
                let watch = try loop.watch(directory: path, mask: mask, for: index, as: folder)
                trees[index].folders.add(folder: folder, watch: watch)
            } catch {
                // Gone already (its parent's event says so), or a symlink put in its place.
                if [ENOENT, ENOTDIR, ELOOP].contains(error.code) { continue }
                // Not watched: listed all the same, and by every poll from now on.
                watchFailed(index, folder: folder, error)
            }
            DirectoryListing.list(path, followingLinks: folder.isEmpty) { name, isFolder in
                guard let name = String(validating: name, as: UTF8.self) else {
                    let lossy = String(decoding: name, as: UTF8.self)
                    warnNotText(index, folder.isEmpty ? lossy : folder + "/" + lossy)
                    return
                }
                let child = folder.isEmpty ? name : folder + "/" + name
                if stream.ignore.ignores(child) { return }
                if isFolder {
                    stack.append(child)
                } else if stream.glob.matches(child) {
                    trees[index].folders.add(file: child)
                    if fresh { holdUnseen(index, child, until: quietUntil) }
                    mark(index, child, .presence)
                }
            }
        }
    }

    /// A folder that cannot be watched would be a silent gap: the tree is polled from now on (every
    /// folder listed again, every file looked at by its identity), with one warning that says why
    /// and what to do.
    private func watchFailed(_ index: Int, folder: String, _ error: Inotify.SystemError) {
        let config = trees[index].stream.config
        startPolling(index, reason: Self.watchFailureMessage(watch: config.watch, folder: folder, code: error.code))
    }

    private func startPolling(_ index: Int, reason: String) {
        guard trees[index].pollReason == nil else { return }
        trees[index].pollReason = reason
        let now = clock.now
        trees[index].poll.polled(true, at: now)
        // A refused watch may be had later (the watch limit raised, a folder made readable); no
        // instance at all stays so until a restart.
        if loop.unavailable == nil, trees[index].watchRetry == nil {
            trees[index].watchRetry = now.advanced(by: Self.watchRetryInterval)
        }
        let stream = trees[index].stream
        stream.watchStatus.record(.polling(reason: reason), path: stream.config.watch, logger: logger)
    }

    /// How often a tree polled for a refused watch tries inotify again.
    static let watchRetryInterval: Duration = .seconds(60)

    /// Polls each tree whose time has come: what a queue overflow does, on a timer. Listing
    /// finds new files and folders (and tries their watches again); a file already known costs a
    /// stat, and is read again only when its device, inode, size, mtime or ctime changed.
    ///
    /// Once a ``watchRetryInterval``, the poll forgets why the tree is polled: if every folder's
    /// watch is then had (the cause went away), inotify serves the tree again, and the listing
    /// just made covers whatever changed meanwhile; if not, the tree stays polled, with no new
    /// warning for the same cause.
    private func pollDue(at now: Instant) {
        for index in trees.indices where trees[index].poll.due(at: now) {
            let retry = trees[index].watchRetry.map { $0 <= now } ?? false
            if retry {
                trees[index].watchRetry = nil
                trees[index].pollReason = nil
            }
            for key in trees[index].folders.files { mark(index, key.string, .presence) }
            attachRoot(index)
            if retry && trees[index].pollReason == nil {
                trees[index].poll.polled(false, at: now)
                let stream = trees[index].stream
                stream.watchStatus.record(.inotify, path: stream.config.watch, logger: logger)
            }
        }
    }

    /// Why a tree is polled when a folder could not be watched; ENOSPC is the per-user watch limit
    /// (inotify(7), /proc interfaces), named with the command that raises it.
    static func watchFailureMessage(watch: String, folder: String, code: Int32) -> String {
        watchFailureMessage(place: folder.isEmpty ? "'\(watch)'" : "folder '\(folder)' of '\(watch)'", code: code)
    }

    /// Why a tree whose root is missing is polled: the folder where the root would appear could
    /// not be watched.
    static func watchFailureMessage(watch: String, missingRootAncestor folder: String, code: Int32) -> String {
        watchFailureMessage(place: "'\(folder)' (where the missing '\(watch)' would appear)", code: code)
    }

    private static func watchFailureMessage(place: String, code: Int32) -> String {
        if code == ENOSPC {
            return "cannot watch \(place): the inotify watch limit (fs.inotify.max_user_watches) is reached; raise it with 'sysctl fs.inotify.max_user_watches=524288' (and set it in /etc/sysctl.d/ to keep it); the tree is polled until then, and inotify tried again every minute"
        }
        return "cannot watch \(place): \(String(cString: strerror(code))); the tree is polled, and inotify tried again every minute"
    }
}

import Glibc
import Synchronization

/// One thread around one inotify instance, for one source (``FileWatcher``, ``LineSource``,
/// ``TreeSource``): the wait, the wake, work handed back from other threads, and which watch
/// descriptor serves whom (``WatchRegistry``). What to watch and what an event means stay the
/// source's (``InotifyLoopDriver``).
///
/// Each source has a loop of its own rather than one thread for an engine: a line source reads
/// logs on its thread (a 1 MiB chunk per turn, at once while there is more), and a tree lists new
/// folders on its, so a shared thread would hold one kind's events behind another's work; and a
/// queue overflow, which makes a source look at everything again, stays the business of the one
/// instance whose queue overflowed.
///
/// The registry and the driver's state belong to the loop's thread once ``start(_:)`` returns
/// (before, to the thread that sets the watches up and starts it).
final class InotifyLoop<Owner: Hashable & Sendable, Label: Sendable>: @unchecked Sendable {
    private let inotify: Inotify
    private var registry = WatchRegistry<Owner, Label>()
    /// Work handed back, nil once the loop has stopped: a job holds its source strongly, so one left
    /// here after the stop (a read that finished during the engine's drain) would keep the source,
    /// this loop, its inotify instance and its streams alive for good.
    private let jobs = Mutex<[@Sendable () -> Void]?>([])
    private let stopping = Atomic<Bool>(false)
    /// Touched only by the thread that starts and stops the source.
    private var thread: pthread_t?
    private let clock = ContinuousClock()

    /// - Parameter enabled: false leaves inotify out (every stream polls by config), so every watch
    ///   fails and the caller polls.
    init(enabled: Bool = true) throws(Inotify.SystemError) {
        inotify = try Inotify(enabled: enabled)
    }

    /// Why there is no inotify instance, if there is none: every watch fails, and every stream polls.
    var unavailable: Inotify.SystemError? { inotify.unavailable }

    // MARK: - Watches

    /// Watches a folder for `owner` (the same descriptor as any other user of the folder's inode).
    @discardableResult
    func watch(directory: String, mask: UInt32 = Inotify.directoryMask, for owner: Owner, as label: Label) throws(Inotify.SystemError) -> Int32 {
        let watch = try inotify.addWatch(directory: directory, mask: mask)
        registry.add(watch, owner: owner, label: label)
        return watch
    }

    /// Watches the file behind an open descriptor for `owner` (see ``Inotify/addWatch(descriptor:)``).
    @discardableResult
    func watch(descriptor: Int32, for owner: Owner, as label: Label) throws(Inotify.SystemError) -> Int32 {
        let watch = try inotify.addWatch(descriptor: descriptor)
        registry.add(watch, owner: owner, label: label)
        return watch
    }

    /// Who uses a watch, and for what.
    func users(of watch: Int32) -> [Owner: Label] {
        registry.users(of: watch)
    }

    /// Ends `owner`'s use of a watch; the watch goes when nobody uses it any more.
    func release(_ watch: Int32, by owner: Owner) {
        if registry.remove(watch, owner: owner) { inotify.removeWatch(watch) }
    }

    /// The kernel dropped a watch (IN_IGNORED: its folder or file is gone): forgotten without
    /// removing it again. Returns who had it.
    @discardableResult
    func forget(_ watch: Int32) -> [Owner: Label] {
        registry.forget(watch)
    }

    // MARK: - The thread

    /// Starts the thread, which turns the driver until ``stop()``.
    func start(_ driver: some InotifyLoopDriver) {
        thread = PosixThread.start { self.run(driver) }
    }

    /// Tells the loop to end, wakes it, joins its thread and removes every watch: a stopped
    /// source holds no watch (the instance itself is closed with the loop). False when it was not
    /// running.
    @discardableResult
    func stop() -> Bool {
        guard let thread else { return false }
        stopping.store(true, ordering: .releasing)
        inotify.wake()
        pthread_join(thread, nil)
        self.thread = nil
        jobs.withLock { $0 = nil }
        for watch in registry.removeAll() { inotify.removeWatch(watch) }
        return true
    }

    /// Makes the loop turn now, from any thread (a stream's subscribers drained, say).
    func wake() {
        inotify.wake()
    }

    /// Runs `job` on the loop's thread at its next turn, from any thread: how work done elsewhere
    /// (a read on a worker) reports back to the state only the loop touches. After ``stop()`` the
    /// job is dropped: nobody would run it.
    func execute(_ job: @escaping @Sendable () -> Void) {
        let queued = jobs.withLock { jobs in
            guard jobs != nil else { return false }
            jobs?.append(job)
            return true
        }
        if queued { inotify.wake() }
    }

    private func run(_ driver: some InotifyLoopDriver) {
        while !stopping.load(ordering: .acquiring) {
            let deadline = driver.turn(at: clock.now)
            let timeout = deadline.map { max(0, clock.now.duration(to: $0).roundedUpMilliseconds) }
            let wakeups = inotify.wait(timeoutMilliseconds: timeout)
            if stopping.load(ordering: .acquiring) { break }
            if wakeups.contains(.woken) {
                let due = jobs.withLock { jobs in
                    defer { if jobs != nil { jobs = [] } }
                    return jobs ?? []
                }
                for job in due { job() }
            }
            if wakeups.contains(.events) {
                let events = inotify.readEvents()
                driver.handle(events, at: clock.now)
            }
        }
    }
}

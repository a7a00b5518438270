/// How long the watcher waits, and for what.
public struct WatchTiming: Sendable, Equatable {
    /// Quiet time after an IN_MODIFY that no close follows (a writer that keeps the file open), after
    /// a name vanished (vim's save renames the file away before writing it again), and before a read
    /// that found the file unparsable or missing is taken as the settled state.
    public var settle: Duration
    /// How long a writer that may still hold the file open (IN_MODIFY with no close yet) must be
    /// silent before an unparsable reading counts as settled. A close ends the wait at once.
    public var idleWriter: Duration
    /// The longest a stream of IN_MODIFY can delay a read, so a file written constantly still updates.
    public var maximumDelay: Duration
    /// How often every stream's target is stat'ed and compared, as a net under inotify (nil: never):
    /// a write through a shared mapping moves mtime and ctime but sends no IN_MODIFY (inotify(7),
    /// "mmap(2), msync(2), and munmap(2)" generate no events). How often a polled stream is
    /// stat'ed is its own `poll_interval` (``WatchPolicy``).
    public var reconcileInterval: Duration?

    public init(
        settle: Duration = .milliseconds(50),
        idleWriter: Duration = .seconds(1),
        maximumDelay: Duration = .milliseconds(500),
        reconcileInterval: Duration? = .seconds(10)
    ) {
        self.settle = settle
        self.idleWriter = idleWriter
        self.maximumDelay = maximumDelay
        self.reconcileInterval = reconcileInterval
    }
}

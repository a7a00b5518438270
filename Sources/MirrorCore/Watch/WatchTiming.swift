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
    /// How often every stream's target is stat'ed and compared, as a net under inotify (nil: never).
    public var reconcileInterval: Duration?
    /// How often a stream that inotify cannot serve (a watch that could not be added) is polled.
    public var pollInterval: Duration

    public init(
        settle: Duration = .milliseconds(50),
        idleWriter: Duration = .seconds(1),
        maximumDelay: Duration = .milliseconds(500),
        reconcileInterval: Duration? = .seconds(10),
        pollInterval: Duration = .seconds(1)
    ) {
        self.settle = settle
        self.idleWriter = idleWriter
        self.maximumDelay = maximumDelay
        self.reconcileInterval = reconcileInterval
        self.pollInterval = pollInterval
    }
}

/// What a source decides for the ``InotifyLoop`` it runs on: what is due, and what a batch of
/// events means. The loop calls both on its own thread only, one after the other.
protocol InotifyLoopDriver: AnyObject, Sendable {
    /// Does what is due at `now` and returns when the loop must turn again: nil waits for an
    /// event or a wake alone; `now` (or earlier) turns again at once.
    func turn(at now: ContinuousClock.Instant) -> ContinuousClock.Instant?
    /// Handles the events of one read, all of them before anything is due again (so a burst of
    /// events on one file is one read of it). The queue's overflow (IN_Q_OVERFLOW) and a dropped
    /// watch (IN_IGNORED) come as events too: what they mean is the source's decision.
    func handle(_ events: [InotifyEvent], at now: ContinuousClock.Instant)
}

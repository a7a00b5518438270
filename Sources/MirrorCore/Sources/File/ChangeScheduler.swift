/// When to read one watched file, as a value driven by the events and an injected instant.
///
/// Reads happen at once on what ends a write (IN_CLOSE_WRITE, IN_MOVED_TO, a re-resolved change).
/// Only IN_MODIFY that no close follows is debounced, capped by ``WatchTiming/maximumDelay``.
/// A read that finds the file unparsable or missing is retried once the writes have settled
/// (after a close: the settle time; while a writer may hold the file open: its idle time), and
/// only that second look is published as `invalid` or `removed`. Any event in between starts over.
public struct ChangeScheduler<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public struct Read: Sendable, Equatable {
        /// 0 for a first look; 1 or more once the file has had time to settle.
        public var attempt: Int
        /// IN_MODIFY came and no IN_CLOSE_WRITE since: a writer may hold the file open, halfway
        /// through. A reading that always parses (`format: text`) cannot tell, so it waits for the
        /// close or the idle time instead.
        public var writerOpen: Bool
        /// When the first event of the change this read looks at came (nil for a read no event
        /// caused, such as the first one), for the change-to-event histogram.
        public var noticed: Instant?

        public init(attempt: Int, writerOpen: Bool = false, noticed: Instant? = nil) {
            self.attempt = attempt
            self.writerOpen = writerOpen
            self.noticed = noticed
        }
    }

    private struct Pending: Sendable {
        var deadline: Instant
        /// When the first of a run of IN_MODIFY arrived, for the maximum delay.
        var firstModified: Instant?
        var attempt: Int
        /// When the change was first noticed; a retry keeps it, so the wait counts.
        var noticed: Instant?
    }

    private let timing: WatchTiming
    private var pending: Pending?
    /// IN_MODIFY came and no IN_CLOSE_WRITE since: a writer may be halfway through.
    private var writerOpen = false

    public init(timing: WatchTiming) {
        self.timing = timing
    }

    /// When the next read is due, for the watcher's poll timeout.
    public var deadline: Instant? { pending?.deadline }

    /// A write ended: read as soon as the current batch of events is handled.
    public mutating func writeEnded(at now: Instant) {
        writerOpen = false
        pending = Pending(deadline: now, firstModified: nil, attempt: 0, noticed: pending?.noticed ?? now)
    }

    /// The file was modified and may still be open for writing.
    public mutating func modified(at now: Instant) {
        // A read already due at once will see this write too.
        writerOpen = true
        if let pending, pending.firstModified == nil, pending.deadline <= now { return }
        let first = pending?.firstModified ?? now
        let deadline = min(now.advanced(by: timing.settle), first.advanced(by: timing.maximumDelay))
        pending = Pending(deadline: deadline, firstModified: first, attempt: 0, noticed: pending?.noticed ?? now)
    }

    /// The name vanished (deleted or renamed away). Look again once things settle; if it is still
    /// gone then, that look counts as settled.
    public mutating func vanished(at now: Instant) {
        writerOpen = false
        pending = Pending(deadline: now.advanced(by: timing.settle), firstModified: nil, attempt: 1, noticed: pending?.noticed ?? now)
    }

    /// The last read found the file not ready; look again after the settle time.
    public mutating func retry(after read: Read, at now: Instant) {
        guard pending == nil else { return }
        let wait = writerOpen ? timing.idleWriter : timing.settle
        pending = Pending(deadline: now.advanced(by: wait), firstModified: nil, attempt: read.attempt + 1, noticed: read.noticed)
    }

    /// The read gave no reading (the file changed during every try, or the system was short of
    /// descriptors): look again after the settle time, as the same look (an unsettled first look
    /// stays a first look). Any event meanwhile starts over as usual.
    public mutating func noReading(_ read: Read, at now: Instant) {
        guard pending == nil else { return }
        pending = Pending(deadline: now.advanced(by: timing.settle), firstModified: nil, attempt: read.attempt, noticed: read.noticed)
    }

    /// The read to do now, if one is due; it is then no longer pending.
    public mutating func due(at now: Instant) -> Read? {
        guard let pending, pending.deadline <= now else { return nil }
        self.pending = nil
        return Read(attempt: pending.attempt, writerOpen: writerOpen, noticed: pending.noticed)
    }
}

/// When a polled stream's file is stat'ed next, as a value with injected instants: every
/// `poll_interval` while it is polled, never while inotify serves it.
struct PollSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    let interval: Duration
    /// The next look; nil while the stream is not polled.
    private(set) var next: Instant?

    init(interval: Duration) {
        self.interval = interval
    }

    /// Starts polling (the first look one interval from now) or stops it. Polling that goes on
    /// keeps its rhythm.
    mutating func polled(_ polled: Bool, at now: Instant) {
        if !polled {
            next = nil
        } else if next == nil {
            next = now.advanced(by: interval)
        }
    }

    /// Whether a look is due now; if so, the next one is an interval later.
    mutating func due(at now: Instant) -> Bool {
        guard let next, next <= now else { return false }
        self.next = now.advanced(by: interval)
        return true
    }
}

/// How long a sink waits before trying a hub that failed again: exponential from `initial`,
/// doubling to `cap`, with ±20% jitter so that several mirrors do not knock on a recovering
/// hub in step. Capped at a few seconds so a hub that comes back is fed again quickly.
struct PublishBackoff: Sendable, Equatable {
    var initial: Duration
    var cap: Duration
    private var failures = 0

    init(initial: Duration = .milliseconds(100), cap: Duration = .seconds(2)) {
        self.initial = initial
        self.cap = cap
    }

    /// The wait before the next try; `jitter` in -1...1 scales the ±20%.
    mutating func next(jitter: Double = Double.random(in: -1...1)) -> Duration {
        let doubled = initial * (1 << min(failures, 20))
        failures += 1
        let base = min(doubled, cap)
        return base * (1 + 0.2 * jitter)
    }

    /// A send succeeded.
    mutating func reset() {
        failures = 0
    }
}

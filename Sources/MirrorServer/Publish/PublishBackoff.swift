/// How long a pump waits before trying a target that failed again: exponential from `initial`,
/// doubling to `cap`, with ±`spread` jitter (20%) so that several mirrors do not knock on a
/// recovering target in step. Capped at a few seconds so a target that comes back is fed again
/// quickly.
struct PublishBackoff: Sendable, Equatable {
    var initial: Duration
    var cap: Duration
    /// How far a wait may stray from its base, as a fraction (0: never, which only tests want).
    var spread: Double
    private var failures = 0

    init(initial: Duration = .milliseconds(100), cap: Duration = .seconds(2), spread: Double = 0.2) {
        self.initial = initial
        self.cap = cap
        self.spread = spread
    }

    /// The wait before the next try; `jitter` in -1...1 scales the ±`spread`.
    mutating func next(jitter: Double = Double.random(in: -1...1)) -> Duration {
        let doubled = initial * (1 << min(failures, 20))
        failures += 1
        let base = min(doubled, cap)
        return base * (1 + spread * jitter)
    }

    /// A send succeeded.
    mutating func reset() {
        failures = 0
    }
}

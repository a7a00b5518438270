import Synchronization

/// One batch of looks at a tree's keys, shared by the jobs that do them: each job takes the next
/// key until none is left, so two threads share the work whatever the files' sizes, and the last
/// job to finish applies the results. No job ever waits for another (a pool of two threads could
/// otherwise be held by two waiters).
final class TreeBatch: Sendable {
    let keys: [(key: String, reason: TreeLookReason)]
    private let next = Atomic<Int>(0)
    private let running: Atomic<Int>
    private let results = Mutex<[(index: Int, look: TreeLook)]>([])
    let filesDone = Atomic<Int>(0)
    let bytesDone = Atomic<Int>(0)
    let started = ContinuousClock.now
    let lastProgress: Mutex<ContinuousClock.Instant>

    init(keys: [(key: String, reason: TreeLookReason)], jobs: Int) {
        self.keys = keys
        self.running = Atomic(jobs)
        self.lastProgress = Mutex(started)
    }

    /// The next key to look at, or nil when every key is taken.
    func take() -> Int? {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < keys.count ? index : nil
    }

    /// Hands in one job's results; returns them all when this was the last job running.
    func finish(_ looks: [(index: Int, look: TreeLook)]) -> [(index: Int, look: TreeLook)]? {
        results.withLock { $0 += looks }
        guard running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return nil }
        return results.withLock { $0 }
    }
}

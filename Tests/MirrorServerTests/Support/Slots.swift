/// At most `limit` holders at once of something the tests share (``WatcherSlots``: inotify
/// instances; ``CommandLineTests/launch(_:)``: the cores that child processes run on). A holder
/// takes a slot before it starts and gives it back when it is done.
///
/// A wait is bounded, so that a test holding slots while it waits for another cannot deadlock the
/// suite: past it, the waiter goes on anyway.
actor Slots {
    private var free: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextWaiter = 0

    init(limit: Int) {
        free = limit
    }

    func acquire(timeout: Duration = .seconds(20)) async {
        if free > 0 {
            free -= 1
            return
        }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.giveUp(id)
        }
        await withCheckedContinuation { waiters.append((id, $0)) }
        timer.cancel()
    }

    func release() {
        if waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    /// A waiter past its time goes on without a slot (and gives one back when it is done, which
    /// only makes room sooner).
    private func giveUp(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume()
    }
}

/// The suite's share of the kernel's inotify instances. Linux allows a user 128 at once
/// (`fs.inotify.max_user_instances`), and every running server takes one or more (a watcher per
/// kind of stream, and the binary one more for its config file). Swift Testing runs the tests of
/// the suite at once, so without a bound their servers together passed 128 and the kernel
/// refused new ones (EMFILE): tree streams went `invalid`, the suite failed, and a user's own
/// servers would have been starved meanwhile. A server of a test takes a slot before it starts
/// and gives it back when it stops.
///
/// A wait is bounded, so that a test holding slots while it waits for another cannot deadlock the
/// suite: past it, the server starts anyway.
actor WatcherSlots {
    static let shared = WatcherSlots(limit: 32)

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

    /// A waiter past its time starts without a slot (and gives one back when it stops, which
    /// only makes room sooner).
    private func giveUp(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume()
    }
}

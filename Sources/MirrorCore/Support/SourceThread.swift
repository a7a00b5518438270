import Glibc
import Synchronization

/// The one thread of a source (``FileWatcher``, ``LineSource``, ``TreeSource``): each blocks in its
/// inotify wait, so stopping it is a flag, a wake of that wait, and a join.
final class SourceThread: @unchecked Sendable {
    private let stopping = Atomic<Bool>(false)
    /// Touched only by the thread that starts and stops the source.
    private var thread: pthread_t?

    /// Checked by the loop after every wait.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    func start(_ loop: @escaping @Sendable () -> Void) {
        thread = PosixThread.start(loop)
    }

    /// Tells the loop to end, wakes its wait and joins it; false when it was not running.
    @discardableResult
    func stop(waking inotify: Inotify) -> Bool {
        guard let thread else { return false }
        stopping.store(true, ordering: .releasing)
        inotify.wake()
        pthread_join(thread, nil)
        self.thread = nil
        return true
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded up: a poll(2) timeout that never ends just
    /// before its deadline, which would spin.
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

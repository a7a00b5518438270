import Glibc

/// A few threads that run jobs in order of submission: where the engine reads files and turns
/// them into events, off the watcher thread.
///
/// `nice` lowers the threads' scheduling priority (setpriority(2) on each thread's own id, which
/// Linux applies per thread). The engine keeps big documents on a niced pool: parsing and diffing
/// 50 MB then yields the CPU to the event loops and to the normal pool, so a one-line change on
/// another stream still goes out at once. An unprivileged process may raise its nice value but
/// never lower it again, which is why priority is per pool and not per job.
///
/// Jobs are plain closures; the queue is unbounded in principle but holds at most one job per
/// stream, since the watcher keeps one read per file in flight.
final class WorkerPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let nice: Int32
    /// Allocated once, never moved: a pthread mutex or condition must keep its address while in
    /// use (POSIX), which a stored `var` of a class does not promise (`&` may pass a temporary
    /// copy). NIO's `LockStorage` allocates its mutex for the same reason.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [Job] = []
    private var head = 0
    private var stopping = false
    private var threads: [pthread_t] = []

    init(threads count: Int, nice: Int32 = 0) {
        self.nice = nice
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for _ in 0..<max(1, count) {
            threads.append(PosixThread.start { self.work() })
        }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func submit(_ job: @escaping Job) {
        pthread_mutex_lock(mutex)
        jobs.append(job)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Runs what is queued, then stops the threads and waits for them.
    func shutdown() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }

    private func work() {
        if nice != 0 {
            // Per thread: under Linux/NPTL the nice value is a thread's own (setpriority(2), BUGS), and
            // `who` 0 is the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
        }
        while true {
            pthread_mutex_lock(mutex)
            while head == jobs.count && !stopping { pthread_cond_wait(condition, mutex) }
            if head == jobs.count {
                pthread_mutex_unlock(mutex)
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            pthread_mutex_unlock(mutex)
            job()
        }
    }
}

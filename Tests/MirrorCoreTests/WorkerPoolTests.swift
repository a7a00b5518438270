@testable import MirrorCore
import Synchronization
import Testing

/// The pool behind every read: jobs in the order they came, and none lost at shutdown.
@Suite("worker pool")
struct WorkerPoolTests {
    @Test func oneThreadRunsJobsInOrderAndShutdownRunsWhatIsQueued() {
        let pool = WorkerPool(threads: 1)
        let ran = Mutex<[Int]>([])
        for number in 0..<1000 { pool.submit { ran.withLock { $0.append(number) } } }
        pool.shutdown()
        #expect(ran.withLock { $0 } == Array(0..<1000))
    }

    @Test func severalThreadsRunEveryJobOnce() {
        let pool = WorkerPool(threads: 4, nice: 1)
        let ran = Mutex<[Int]>([])
        for number in 0..<2000 { pool.submit { ran.withLock { $0.append(number) } } }
        pool.shutdown()
        #expect(ran.withLock { $0 }.sorted() == Array(0..<2000))
    }
}

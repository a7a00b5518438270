import Foundation

/// Runs `work` on a thread of its own and waits for it without holding a thread of Swift's
/// cooperative pool.
///
/// Swift Testing runs the tests of the suite at once on that pool, which has as many threads as
/// the machine has cores (two in CI). A test that blocks one of them (a semaphore, `usleep`, a
/// blocking read, `waitUntilExit`, a loop writing thousands of files) leaves every other test's
/// async waits one thread short; two such tests stop them all, and their deadlines pass without
/// the condition ever being looked at. Whatever blocks goes through here.
public func offPool<T: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
    let result: Result<T, Failure> = await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(returning: Result { () throws(Failure) -> T in try work() })
        }
    }
    return try result.get()
}

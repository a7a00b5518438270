import Foundation
import MirrorTestSupport

extension Process {
    /// Waits until the started process exits, and returns its status, without holding a thread of
    /// the test pool (`waitUntilExit()` blocks its caller for as long as the child runs).
    @discardableResult
    func exited() async -> Int32 {
        await offPool {
            self.waitUntilExit()
            return self.terminationStatus
        }
    }
}

@testable import MirrorCore
import Testing

/// A stopped ``InotifyLoop`` keeps no work handed back to it. A read that finishes while the engine
/// drains its workers hands its result back after the loop's thread has ended; kept, that job held
/// its source, and so the loop, the inotify instance and the streams, for good (one leaked
/// instance and pipe per stream retired by a reload during a read).
@Suite("inotify loop stop", .timeLimit(.minutes(1)))
struct InotifyLoopStopTests {
    final class IdleDriver: InotifyLoopDriver {
        func turn(at now: ContinuousClock.Instant) -> ContinuousClock.Instant? { nil }
        func handle(_ events: [InotifyEvent], at now: ContinuousClock.Instant) {}
    }

    final class Captured: Sendable {}

    @Test func workHandedBackAfterTheStopIsNotKept() throws {
        let loop = try InotifyLoop<Int, Int>()
        loop.start(IdleDriver())
        #expect(loop.stop())
        weak var captured: Captured?
        do {
            let held = Captured()
            captured = held
            loop.execute { _ = held }
        }
        #expect(captured == nil, "a job queued after the stop still holds what it captured")
    }
}

import MirrorCore
import Testing
import MirrorDocument

@Suite("state machines")
struct StateMachineTests {
    typealias Scheduler = ChangeScheduler<ContinuousClock.Instant>
    let timing = WatchTiming(settle: .milliseconds(50), idleWriter: .seconds(1), maximumDelay: .milliseconds(500))
    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { t0.advanced(by: .milliseconds(milliseconds)) }

    @Test func closeReadsAtOnce() {
        var scheduler = Scheduler(timing: timing)
        scheduler.writeEnded(at: at(0))
        #expect(scheduler.due(at: at(0)) == .init(attempt: 0, noticed: at(0)))
        #expect(scheduler.due(at: at(1)) == nil)
    }

    @Test func modifyWithoutCloseIsDebounced() {
        var scheduler = Scheduler(timing: timing)
        scheduler.modified(at: at(0))
        scheduler.modified(at: at(30))
        #expect(scheduler.due(at: at(60)) == nil)
        // Noticed at the first write of the run: the debounce counts toward change-to-event time.
        #expect(scheduler.due(at: at(80)) == .init(attempt: 0, writerOpen: true, noticed: at(0)))
    }

    /// A file written constantly is still read, at most `maximumDelay` after the first write.
    @Test func constantWritesAreReadWithinTheMaximumDelay() {
        var scheduler = Scheduler(timing: timing)
        var now = 0
        var reads: [Int] = []
        while now < 1200 {
            scheduler.modified(at: at(now))
            if scheduler.due(at: at(now)) != nil { reads.append(now) }
            now += 10
        }
        #expect(reads == [500, 1010])
    }

    @Test func vanishedIsCheckedAfterSettleAsSettled() {
        var scheduler = Scheduler(timing: timing)
        scheduler.vanished(at: at(0))
        #expect(scheduler.due(at: at(49)) == nil)
        #expect(scheduler.due(at: at(50)) == .init(attempt: 1, noticed: at(0)))
    }

    /// vim renames the file away and writes it again: the new write wins over the pending removal check.
    @Test func reappearanceReplacesTheRemovalCheck() {
        var scheduler = Scheduler(timing: timing)
        scheduler.vanished(at: at(0))
        scheduler.modified(at: at(5))
        scheduler.writeEnded(at: at(6))
        #expect(scheduler.due(at: at(6)) == .init(attempt: 0, noticed: at(0)))
    }

    /// After a close, an unparsable file is looked at again after the settle time; while a writer
    /// may hold it open, only after the writer's idle time.
    @Test func retryWaitsLongerWhileAWriterMayBeOpen() {
        var closed = Scheduler(timing: timing)
        closed.writeEnded(at: at(0))
        let first = closed.due(at: at(0))!
        closed.retry(after: first, at: at(1))
        #expect(closed.due(at: at(51)) == .init(attempt: 1, noticed: at(0)))

        var open = Scheduler(timing: timing)
        open.modified(at: at(0))
        let read = open.due(at: at(50))!
        open.retry(after: read, at: at(50))
        #expect(open.due(at: at(500)) == nil)
        #expect(open.due(at: at(1050)) == .init(attempt: 1, writerOpen: true, noticed: at(0)))
    }

    /// A read during which the file never held still is no reading: the same look is taken again
    /// after the settle time, still as a first look, and an event meanwhile is not pushed back.
    @Test func aReadThatNeverHeldStillIsTakenAgainAsTheSameLook() {
        var scheduler = Scheduler(timing: timing)
        scheduler.writeEnded(at: at(0))
        let first = scheduler.due(at: at(0))!
        scheduler.noReading(first, at: at(1))
        #expect(scheduler.due(at: at(50)) == nil)
        #expect(scheduler.due(at: at(51)) == .init(attempt: 0, noticed: at(0)))

        scheduler.vanished(at: at(100))
        let settled = scheduler.due(at: at(150))!
        scheduler.writeEnded(at: at(151))
        scheduler.noReading(settled, at: at(151))
        #expect(scheduler.due(at: at(151)) == .init(attempt: 0, noticed: at(151)))
    }

    @Test func streamStateVersionsDocumentsAndAbsence() {
        var state = StreamState<[UInt8]>()
        #expect(state.document([1]) == .changed(version: 1, document: [1], base: nil))
        #expect(state.document([1]) == nil)
        let error = DocumentError(line: 1, column: 2, message: "x")
        #expect(state.failed(error) == [.invalid(error)])
        #expect(state.failed(error) == [])
        // The same good document again clears the `invalid` with a new version.
        #expect(state.document([1]) == .changed(version: 2, document: [1], base: nil))
        #expect(state.missing() == .removed(version: 3))
        #expect(state.missing() == nil)
        #expect(state.document([2]) == .changed(version: 4, document: [2], base: nil))
        // Only a change from a document with no `invalid` since has a base to patch.
        #expect(state.document([3]) == .changed(version: 5, document: [3], base: [2]))
    }

    /// A file with no valid document since the start is "no document": `removed` (a version) comes
    /// before the first `invalid`, so a client always has a state for the `invalid` to stand over.
    @Test func invalidBeforeAnyStateIsRemovedFirst() {
        var state = StreamState<[UInt8]>()
        let error = DocumentError(line: 1, column: 2, message: "x")
        #expect(state.failed(error) == [.removed(version: 1), .invalid(error)])
        #expect(state.failed(error) == [])
        #expect(state.document([1]) == .changed(version: 2, document: [1], base: nil))
    }
}

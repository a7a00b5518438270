import MirrorCore
import Testing
import MirrorDocument

/// What a joining or reconnecting client is sent, decided by the history alone.
@Suite("Event history and resume")
struct EventHistoryTests {
    let encoder = SSEEncoder()
    let run = "r1"

    private func id(_ version: UInt64) -> EventID { EventID(run: run, version: version) }

    private func changed(_ version: UInt64) -> EncodedEvent {
        encoder.encode(.changed(id: id(version), document: Array("{\"v\":\(version)}".utf8)), sequence: version * 10)
    }

    private func patch(_ version: UInt64) -> EncodedEvent {
        encoder.encode(.patch(id: id(version), operations: Array("[{\"op\":\"replace\",\"path\":\"/v\",\"value\":\(version)}]".utf8)), sequence: version * 10)
    }

    /// A patch stream: version 1 whole, then patches 2...last.
    private func patchHistory(through last: UInt64, limits: HistoryLimits = HistoryLimits()) -> EventHistory {
        var history = EventHistory(limits: limits)
        history.record(changed(1), state: changed(1))
        for version in stride(from: 2, through: last, by: 1) { history.record(patch(version), state: changed(version)) }
        return history
    }

    private func names(_ events: [EncodedEvent]) -> [String] {
        events.map { "\($0.name) \($0.id?.description ?? "-")" }
    }

    @Test func aNewClientGetsTheWholeCurrentState() {
        let history = patchHistory(through: 5)
        #expect(names(history.replay(after: nil)) == ["changed r1-5"])
    }

    @Test func aReconnectGetsExactlyTheMissedPatchesInOrder() {
        let history = patchHistory(through: 5)
        #expect(names(history.replay(after: "r1-2")) == ["patch r1-3", "patch r1-4", "patch r1-5"])
    }

    @Test func aClientAtTheCurrentVersionGetsNothingButAnInvalidInForce() {
        var history = patchHistory(through: 5)
        #expect(history.replay(after: "r1-5").isEmpty)
        let invalid = encoder.encode(.invalid(DocumentError(line: 1, column: 2, message: "x")), sequence: 99)
        history.record(invalid: invalid)
        #expect(names(history.replay(after: "r1-5")) == ["invalid -"])
        #expect(names(history.replay(after: nil)) == ["changed r1-5", "invalid -"])
        // The next version clears it.
        history.record(changed(6), state: changed(6))
        #expect(names(history.replay(after: "r1-5")) == ["changed r1-6"])
    }

    @Test func anEvictedIdGetsTheWholeState() {
        let history = patchHistory(through: 10, limits: HistoryLimits(events: 3, bytes: 1 << 20))
        #expect(names(history.held.map { $0 }) == ["patch r1-8", "patch r1-9", "patch r1-10"])
        #expect(names(history.replay(after: "r1-7")) == ["patch r1-8", "patch r1-9", "patch r1-10"])
        #expect(names(history.replay(after: "r1-6")) == ["changed r1-10"])
    }

    @Test func theByteBoundEvictsButKeepsTheNewest() {
        let one = patch(10).payload.readableBytes
        let history = patchHistory(through: 10, limits: HistoryLimits(events: 100, bytes: one * 2))
        #expect(history.held.count == 2)
        let tiny = patchHistory(through: 4, limits: HistoryLimits(events: 100, bytes: 0))
        #expect(names(tiny.held.map { $0 }) == ["patch r1-4"])
        #expect(names(tiny.replay(after: "r1-3")) == ["patch r1-4"])
        #expect(names(tiny.replay(after: "r1-2")) == ["changed r1-4"])
    }

    @Test func anIdFromAnotherRunOrNeverSentGetsTheWholeState() {
        let history = patchHistory(through: 5)
        for sent in ["r0-4", "r1-9", "garbage", "", "r1-", "-4", "R1-4", "r1-4\n"] {
            #expect(names(history.replay(after: sent)) == ["changed r1-5"], "Last-Event-ID \(sent.debugDescription)")
        }
    }

    /// What came before a whole state among the missed events cannot matter: replay starts there.
    @Test func replayStartsAtTheNewestWholeStateAmongTheMissed() {
        var history = patchHistory(through: 3)
        history.record(changed(4), state: changed(4))
        history.record(patch(5), state: changed(5))
        #expect(names(history.replay(after: "r1-1")) == ["changed r1-4", "patch r1-5"])
        // A snapshot stream: only the newest document.
        var snapshots = EventHistory(limits: HistoryLimits())
        for version in UInt64(1)...4 { snapshots.record(changed(version), state: changed(version)) }
        #expect(names(snapshots.replay(after: "r1-1")) == ["changed r1-4"])
    }

    /// A patch goes out before its whole document is encoded: until then a joining client gets the
    /// last whole state and the patches after it, which are never evicted meanwhile.
    @Test func aWholeStateThatComesLaterIsCompletedByTheEventsAfterIt() {
        var history = EventHistory(limits: HistoryLimits(events: 1, bytes: 0))
        history.record(changed(1), state: changed(1))
        history.record(patch(2), state: nil)
        history.record(patch(3), state: nil)
        #expect(names(history.held.map { $0 }) == ["patch r1-2", "patch r1-3"])
        #expect(names(history.replay(after: nil)) == ["changed r1-1", "patch r1-2", "patch r1-3"])
        #expect(names(history.replay(after: "r1-2")) == ["patch r1-3"])
        #expect(names(history.replay(after: "r0-2")) == ["changed r1-1", "patch r1-2", "patch r1-3"])
        history.settle(changed(2))
        #expect(names(history.replay(after: nil)) == ["changed r1-2", "patch r1-3"])
        history.settle(changed(3))
        #expect(names(history.held.map { $0 }) == ["patch r1-3"])
        #expect(names(history.replay(after: nil)) == ["changed r1-3"])
        // A late settle for an older version changes nothing.
        history.settle(changed(2))
        #expect(names(history.replay(after: nil)) == ["changed r1-3"])
    }

    @Test func eventIDsParseOnlyWhatTheServerSends() {
        #expect(EventID(parsing: "lz3k9a-12") == EventID(run: "lz3k9a", version: 12))
        #expect(EventID(parsing: EventID(run: "abc", version: UInt64.max).description) == EventID(run: "abc", version: UInt64.max))
        for text in ["", "-1", "abc", "abc-", "ABC-1", "a b-1", "abc-1x", "abc-99999999999999999999999"] {
            #expect(EventID(parsing: text) == nil, "\(text.debugDescription)")
        }
    }
}

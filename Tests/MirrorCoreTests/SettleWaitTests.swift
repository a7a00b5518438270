import MirrorCore
import Synchronization
import Testing

/// An answer that is not a stream (a JSON GET) never gets a state older than the newest version:
/// while a patch's whole document is still to come, the hub parks it and wakes it at the settle.
@Suite("waiting for a settle")
struct SettleWaitTests {
    let encoder = SSEEncoder()

    private func changed(_ version: UInt64) -> EncodedEvent {
        encoder.encode(.changed(id: EventID(run: "r", version: version), document: Array("{\"v\":\(version)}".utf8)), sequence: version)
    }

    private func patch(_ version: UInt64) -> EncodedEvent {
        encoder.encode(.patch(id: EventID(run: "r", version: version), operations: Array("[]".utf8)), sequence: version)
    }

    private func version(_ answer: CurrentForAnswer) -> UInt64? {
        if case .ready(let state, _) = answer { return state?.id?.version }
        return nil
    }

    @Test func aPatchWithoutItsDocumentParksTheAnswerUntilTheSettle() throws {
        let hub = StreamHub(path: "/config")
        let woken = Atomic<Int>(0)
        hub.publish([.version(changed(1), state: changed(1))])
        #expect(version(hub.currentForAnswer { woken.add(1, ordering: .relaxed) }) == 1)
        hub.publish([.version(patch(2), state: nil)])
        let first = hub.currentForAnswer { woken.add(1, ordering: .relaxed) }
        let second = hub.currentForAnswer { woken.add(10, ordering: .relaxed) }
        guard case .waiting = first, case .waiting(let cancelled) = second else {
            Issue.record("answered before the settle: \(first), \(second)")
            return
        }
        hub.cancel(cancelled)
        #expect(woken.load(ordering: .relaxed) == 0)
        hub.settle(changed(2))
        #expect(woken.load(ordering: .relaxed) == 1, "the waiter is woken once; the cancelled one never")
        #expect(hub.current().state?.id?.version == 2)
        hub.settle(changed(2))
        #expect(woken.load(ordering: .relaxed) == 1)
    }

    /// A whole state published after the patch (the next version whole) wakes it too.
    @Test func aNewerWholeStateAlsoWakes() {
        let hub = StreamHub(path: "/config")
        let woken = Atomic<Int>(0)
        hub.publish([.version(changed(1), state: changed(1))])
        hub.publish([.version(patch(2), state: nil)])
        guard case .waiting = hub.currentForAnswer(whenSettled: { woken.add(1, ordering: .relaxed) }) else {
            Issue.record("answered before version 2's document")
            return
        }
        hub.publish([.version(changed(3), state: changed(3))])
        #expect(woken.load(ordering: .relaxed) == 1)
        #expect(version(hub.currentForAnswer { woken.add(1, ordering: .relaxed) }) == 3)
    }
}

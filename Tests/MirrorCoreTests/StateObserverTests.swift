import MirrorCore
import MirrorDocument
import Synchronization
import Testing

/// A hub's state observers (what a publish pump is to it): any number, each told of every new
/// whole state once and in order, a delta only through the whole state settled after it, and
/// nothing once removed.
@Suite("hub state observers")
struct StateObserverTests {
    let encoder = SSEEncoder()

    final class Recorder: StreamStateObserver {
        let seen = Mutex<[String]>([])
        let report: JSONValue?

        init(report: JSONValue? = nil) { self.report = report }

        func stateChanged(_ whole: EncodedEvent, path: String) {
            seen.withLock { $0.append("\(path) \(whole.name) \(whole.id?.version ?? 0)") }
        }

        func healthReport() -> JSONValue? { report }

        var all: [String] { seen.withLock { $0 } }
    }

    private func changed(_ version: UInt64) -> EncodedEvent {
        encoder.encode(.changed(id: EventID(run: "r", version: version), document: Array("{\"v\":\(version)}".utf8)), sequence: version)
    }

    @Test func everyObserverIsToldOfEveryWholeStateOnce() {
        let hub = StreamHub(path: "/a")
        let first = Recorder()
        let second = Recorder(report: "second")
        hub.addStateObserver(first)
        hub.addStateObserver(second)
        hub.addStateObserver(first)
        #expect(hub.observerReport() == "second", "the first observer that reports")
        hub.publish([.version(changed(1), state: changed(1))])
        let patch = encoder.encode(.patch(id: EventID(run: "r", version: 2), operations: Array("[]".utf8)), sequence: 2)
        hub.publish([.version(patch, state: nil)])
        #expect(first.all == ["/a changed 1"], "a delta alone is no whole state")
        hub.settle(changed(2))
        hub.settle(changed(2))
        let removed = encoder.encode(.removed(id: EventID(run: "r", version: 3), watch: "a.json"), sequence: 3)
        hub.publish([.version(removed, state: removed), .invalid(encoder.encode(.invalid(DocumentError(line: nil, column: nil, message: "x")), sequence: 4))])
        #expect(first.all == ["/a changed 1", "/a changed 2", "/a removed 3"], "added twice, told once; a settle repeated is not news")
        #expect(second.all == first.all)
        hub.removeStateObserver(second)
        hub.publish([.version(changed(4), state: changed(4))])
        #expect(first.all.last == "/a changed 4")
        #expect(second.all.count == 3)
        #expect(hub.observerReport() == nil)
    }
}

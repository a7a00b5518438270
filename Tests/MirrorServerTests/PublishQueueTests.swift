import MirrorCore
@testable import MirrorServer
import Testing

/// The publish sink's queue and backoff as values (README.md, "Scaling out"): one slot per
/// stream, the newest wins, a failed state goes back unless a newer one came, and a hub that
/// comes back gets every stream's current state.
@Suite("Publish queue")
struct PublishQueueTests {
    let encoder = SSEEncoder()

    func state(_ version: UInt64, run: String = "r1") -> EncodedEvent {
        encoder.encode(.changed(id: EventID(run: run, version: version), document: Array("{\"v\":\(version)}".utf8)), sequence: version)
    }

    @Test func newerSupersedesOlderAndWakesOnce() {
        var queue = PublishQueue()
        #expect(queue.offer(state(1), for: "/a") == .init(wake: true, superseded: false, stale: false))
        #expect(queue.offer(state(2), for: "/a") == .init(wake: false, superseded: true, stale: false))
        #expect(queue.offer(state(2), for: "/a").stale)
        #expect(queue.offer(state(1), for: "/b").wake == false)
        #expect(queue.dropped == 1)
        #expect(queue.waiting == 2)
        let first = queue.next()
        #expect(first?.path == "/a" && first?.state.id?.version == 2)
        #expect(queue.next()?.path == "/b")
        #expect(queue.next() == nil)
        #expect(queue.offer(state(3), for: "/a").wake, "idle again after the queue ran dry")
    }

    @Test func failedStateGoesBackUnlessSuperseded() {
        var queue = PublishQueue()
        _ = queue.offer(state(1), for: "/a")
        _ = queue.offer(state(1), for: "/b")
        let sent = queue.next()!
        #expect(queue.retry(sent.state, for: sent.path) == false)
        #expect(queue.next()?.path == "/a", "a retried state goes first")
        _ = queue.offer(state(2), for: "/a")
        #expect(queue.retry(state(1), for: "/a") == true)
        #expect(queue.dropped == 1)
        #expect(queue.next()?.path == "/b")
        let again = queue.next()
        #expect(again?.path == "/a" && again?.state.id?.version == 2)
    }

    @Test func recoveryRepublishesEveryStreamButTheOneJustSent() {
        var queue = PublishQueue()
        for path in ["/a", "/b", "/c"] { _ = queue.offer(state(1), for: path) }
        while queue.next() != nil {}
        _ = queue.offer(state(2), for: "/b")
        let sent = queue.next()!
        queue.republishAll(except: sent)
        var paths: [String] = []
        while let next = queue.next() { paths.append(next.path) }
        #expect(paths == ["/a", "/c"])
    }

    @Test func memoryIsBoundedByStreamsNotByChanges() {
        var queue = PublishQueue()
        for version in 1...10_000 { _ = queue.offer(state(UInt64(version)), for: "/a") }
        #expect(queue.waiting == 1)
        #expect(queue.dropped == 9_999)
    }

    @Test func aStreamStartedAnewIsNewerWhateverItsVersion() {
        var queue = PublishQueue()
        _ = queue.offer(state(7, run: "old"), for: "/a")
        #expect(!queue.offer(state(1, run: "new"), for: "/a").stale)
        #expect(queue.attach(state(1, run: "newer"), for: "/a") == false, "already running")
        #expect(queue.next()?.state.id?.run == "newer")
        queue.remove("/a")
        #expect(queue.next() == nil)
    }

    @Test func backoffDoublesToItsCapWithJitter() {
        var backoff = PublishBackoff(initial: .milliseconds(100), cap: .seconds(2))
        let waits = (0..<8).map { _ in backoff.next(jitter: 0) }
        #expect(waits == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2), .seconds(2)])
        #expect(backoff.next(jitter: 1) == .milliseconds(2400))
        backoff.reset()
        #expect(backoff.next(jitter: -1) == .milliseconds(80))
    }
}

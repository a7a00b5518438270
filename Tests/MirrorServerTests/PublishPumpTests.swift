import Logging
import MirrorCore
import MirrorDocument
@testable import MirrorServer
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// The pump without sockets: a transport that answers as told, and the event loop's own clock
/// (`NIOAsyncTestingEventLoop`), so retries fall due when the test moves time, never by sleeping.
/// What it must hold: one state per stream however slow the target, retries paced by the
/// backoff, every stream's newest state sent again after an outage, and the outage logged once.
@Suite("publish pump")
struct PublishPumpTests {
    let encoder = SSEEncoder()
    let loop = NIOAsyncTestingEventLoop()
    let capture = AcceptPauseHandlerTests.Capture()
    let metrics = MirrorMetrics()
    let target = try! PublishTarget(parsing: "http://127.0.0.1:9/pub/{stream}")

    func state(_ version: UInt64) -> EncodedEvent {
        encoder.encode(.changed(id: EventID(run: "r", version: version), document: Array("{\"v\":\(version)}".utf8)), sequence: version)
    }

    func pump(_ transport: FakeTransport) -> PublishPump {
        PublishPump(
            target: target, transport: transport, eventLoop: loop, metrics: PublishMetrics(target: target, factory: metrics.factory),
            backoff: PublishBackoff(initial: .milliseconds(100), cap: .seconds(2), spread: 0), logger: capture.logger
        )
    }

    /// The value of one of the pump's counters (`sse_mirror_publish_<name>_total`).
    func counter(_ name: String) -> String? {
        var bytes: [UInt8] = []
        metrics.registry.emit(into: &bytes)
        let series = "sse_mirror_publish_\(name)_total{target=\"\(target)\"} "
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(series) }.map { String($0.dropFirst(series.count)) }
    }

    @Test func aSlowTargetCostsOneStatePerStream() async throws {
        let transport = FakeTransport(eventLoop: loop, answer: nil)
        let pump = pump(transport)
        pump.attach(state(1), for: "/a")
        await loop.run()
        #expect(transport.sent == ["/a {\"v\":1}"], "the first state is on its way, unanswered")
        for version in 2...1_000 as ClosedRange<UInt64> { pump.offer(state(version), for: "/a") }
        pump.offer(state(1), for: "/b")
        await loop.run()
        #expect(String(decoding: JSONSerializer.serialize(try #require(pump.healthReport())), as: UTF8.self).contains(#""queued":2"#))
        #expect(counter("dropped") == "998")
        await transport.answer(.accepted, on: loop)
        await transport.answer(.accepted, on: loop)
        await transport.answer(.accepted, on: loop)
        #expect(transport.sent == ["/a {\"v\":1}", "/a {\"v\":1000}", "/b {\"v\":1}"])
        #expect(counter("sent") == "3")
        await pump.stop()
        #expect(transport.closed.load(ordering: .relaxed) == 1)
    }

    @Test func retriesArePacedByTheBackoff() async throws {
        let transport = FakeTransport(eventLoop: loop, answer: .failed("HTTP 503 Service Unavailable"))
        let pump = pump(transport)
        pump.attach(state(1), for: "/a")
        await loop.run()
        #expect(transport.sent.count == 1)
        // 100 ms, 200 ms, 400 ms (no jitter here), each from the failure before.
        for wait in [100, 200, 400] as [Int64] {
            let count = transport.sent.count
            await loop.advanceTime(by: .milliseconds(wait - 1))
            #expect(transport.sent.count == count, "not before the backoff")
            await loop.advanceTime(by: .milliseconds(1))
            #expect(transport.sent.count == count + 1, "once it has passed")
        }
        #expect(Set(transport.sent) == ["/a {\"v\":1}"], "the same state, kept for the retry")
        #expect(counter("failures") == "4")
        await pump.stop()
        await loop.advanceTime(by: .seconds(10))
        #expect(transport.sent.count == 4, "a stopped pump sends nothing more")
    }

    @Test func anOutageEndsWithEveryStreamsNewestStateLoggedOnce() async throws {
        let transport = FakeTransport(eventLoop: loop, answer: .accepted)
        let pump = pump(transport)
        for path in ["/a", "/b", "/c"] { pump.attach(state(1), for: path) }
        await loop.run()
        #expect(transport.sent.count == 3)
        transport.mode.withLock { $0 = .failed("connection refused") }
        pump.offer(state(2), for: "/b")
        await loop.run()
        // Failures at 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s, then every 2 s (the cap): 34 by 60 s.
        await loop.advanceTime(by: .seconds(60))
        #expect(transport.sent.count == 3 + 34, "retried all along")
        pump.offer(state(3), for: "/b")
        transport.mode.withLock { $0 = .accepted }
        await loop.advanceTime(by: .seconds(2))
        // The newest of /b, then the others again, as a target that restarted lost them.
        #expect(transport.sent.suffix(3) == ["/b {\"v\":3}", "/a {\"v\":1}", "/c {\"v\":1}"], "\(transport.sent.suffix(4))")
        let lines = capture.lines.withLock { $0 }
        #expect(lines.filter { $0.contains("publish target unreachable") }.count == 1, "\(lines)")
        let back = try #require(lines.first { $0.contains("publish target reachable again") }, "\(lines)")
        #expect(back.contains("publish.failures=34") && back.contains("publish.dropped=1"), "\(back)")
        #expect(back.contains("publish.outage_seconds=61.1"), "measured by the loop's clock: \(back)")
        await pump.stop()
    }

    @Test func aRefusedStateIsDroppedAndLoggedOncePerStream() async throws {
        let transport = FakeTransport(eventLoop: loop, answer: .refused("HTTP 413 Payload Too Large"))
        let pump = pump(transport)
        pump.attach(state(1), for: "/big")
        await loop.run()
        pump.offer(state(2), for: "/big")
        await loop.run()
        await loop.advanceTime(by: .seconds(10))
        #expect(transport.sent == ["/big {\"v\":1}", "/big {\"v\":2}"], "each refused once, never retried")
        #expect(counter("dropped") == "2")
        let lines = capture.lines.withLock { $0 }
        #expect(lines.filter { $0.contains("refused a state") }.count == 1, "\(lines)")
        #expect(!lines.contains { $0.contains("unreachable") }, "a refusal is no outage")
        await pump.stop()
    }
}

/// A transport that records each send as `path body` and answers with `mode` at once, or, while
/// `mode` is nil, when the test calls ``answer(_:on:)``.
final class FakeTransport: PublishTransport {
    let eventLoop: any EventLoop
    let mode: Mutex<PublishOutcome?>
    private let record = Mutex<[String]>([])
    private let held = Mutex<[EventLoopPromise<PublishOutcome>]>([])
    let closed = Atomic<Int>(0)

    init(eventLoop: any EventLoop, answer: PublishOutcome?) {
        self.eventLoop = eventLoop
        self.mode = Mutex(answer)
    }

    var sent: [String] { record.withLock { $0 } }

    func send(_ state: EncodedEvent, for path: String) -> EventLoopFuture<PublishOutcome> {
        record.withLock { $0.append("\(path) \(String(buffer: state.data))") }
        if let outcome = mode.withLock({ $0 }) { return eventLoop.makeSucceededFuture(outcome) }
        let promise = eventLoop.makePromise(of: PublishOutcome.self)
        held.withLock { $0.append(promise) }
        return promise.futureResult
    }

    /// Answers the oldest send still waiting, on the loop, and lets the pump go on from it.
    func answer(_ outcome: PublishOutcome, on loop: NIOAsyncTestingEventLoop) async {
        let promise = held.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        try? await loop.executeInContext { promise?.succeed(outcome) }
        await loop.run()
    }

    func close() {
        closed.add(1, ordering: .relaxed)
    }
}

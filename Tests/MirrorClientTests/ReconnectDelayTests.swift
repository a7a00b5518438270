import MirrorClient
import Testing

/// `follow`'s reconnection time: `retry:` (WHATWG HTML §9.2.6) with jitter, capped at 60 s in all.
@Suite("reconnect delay")
struct ReconnectDelayTests {
    /// `retry: 10^26` has more digits than an Int: the parser takes it as the longest time, and
    /// the wait is the documented cap, jitter included (it was 60 s plus up to 6 s of jitter).
    @Test func aHugeRetryWaitsExactlyTheCap() throws {
        var parser = EventStreamParser()
        let output = try parser.feed(Array("retry: 100000000000000000000000000\n\n".utf8))
        guard case .retry(let milliseconds)? = output.first else {
            Issue.record("no retry: \(output)")
            return
        }
        var delay = ReconnectDelay()
        delay.take(retry: milliseconds)
        #expect(ReconnectDelay.maximumMilliseconds == 60_000)
        for jitter in [0, 0.5, 1] {
            #expect(delay.wait(jitter: jitter) == .seconds(60), "jitter \(jitter)")
        }
    }

    @Test func jitterNeverPassesTheCap() {
        var delay = ReconnectDelay()
        delay.take(retry: 59_000)
        #expect(delay.wait(jitter: 0) == .seconds(59))
        #expect(delay.wait(jitter: 1) == .seconds(60))
        delay.take(retry: 50_000)
        #expect(delay.wait(jitter: 1) == .seconds(55))
    }

    /// Patches that keep failing: at least 1, 2, 4… s whatever `retry:` says, and back to `retry:`
    /// once a connection ends another way.
    @Test func lostBasesInARowWaitLongerAndLonger() {
        var delay = ReconnectDelay()
        delay.take(retry: 0)
        #expect(delay.wait(jitter: 0) == .zero)
        var waits: [Duration] = []
        for _ in 0..<8 {
            delay.lostBase()
            waits.append(delay.wait(jitter: 0))
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(delay.wait(jitter: 1) == .seconds(60))
        delay.keptBase()
        #expect(delay.wait(jitter: 0) == .zero)
        delay.take(retry: 5000)
        delay.lostBase()
        #expect(delay.wait(jitter: 0) == .seconds(5))
    }
}

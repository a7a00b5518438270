@testable import MirrorServer
import Testing

/// ``SSEConnectionState`` as a value: a connection leaves its hubs exactly once, and writes only
/// while it streams.
@Suite("SSE connection state")
struct SSEConnectionStateTests {
    static func streaming() -> SSEConnectionState {
        var state = SSEConnectionState()
        state.start()
        return state
    }

    @Test func idleUntilStarted() {
        var state = SSEConnectionState()
        #expect(state.phase == .idle && !state.isStreaming)
        #expect(state.deliver(writable: true, queued: 0, bound: 10) == .drop)
        state.start()
        #expect(state.phase == .streaming)
        #expect(state.deliver(writable: true, queued: 0, bound: 10) == .write)
    }

    /// The bound counts what is queued beyond the event: at the bound it is written, above it closed.
    @Test func theBound() {
        var state = Self.streaming()
        #expect(state.deliver(writable: false, queued: 10, bound: 10) == .write)
        #expect(state.deliver(writable: false, queued: 11, bound: 10) == .close)
        #expect(state.phase == .closing(.slowClient))
        #expect(state.deliver(writable: true, queued: 0, bound: 10) == .drop)
    }

    /// A writable channel is under its high-water mark: the count is not even asked for.
    @Test func writableNeverAsksForTheCount() {
        var state = Self.streaming()
        var asked = false
        let queued = { () -> Int in
            asked = true
            return .max
        }
        #expect(state.deliver(writable: true, queued: queued(), bound: 10) == .write)
        #expect(!asked)
    }

    @Test func heartbeats() {
        var state = Self.streaming()
        #expect(state.heartbeat(queued: 0) == .write)
        #expect(state.heartbeat(queued: 1) == .watchProgress)
        let left = state.close(.stalled)
        #expect(left && state.heartbeat(queued: 0) == .skip)
    }

    /// Leaving happens once: on the first close, or when the channel goes while streaming.
    @Test(arguments: [SSEConnectionState.CloseReason.slowClient, .stalled, .finished])
    func closingLeavesOnce(reason: SSEConnectionState.CloseReason) {
        var state = Self.streaming()
        let first = state.close(reason)
        #expect(first && state.phase == .closing(reason))
        let second = state.close(.finished)
        let gone = state.channelGone()
        #expect(!second && !gone && state.phase == .left)
    }

    @Test func theChannelGoingLeavesOnce() {
        var state = Self.streaming()
        let first = state.channelGone()
        let second = state.channelGone()
        let closed = state.close(.finished)
        #expect(first && !second && !closed && state.phase == .left)
        state.start()
        #expect(state.phase == .left)
    }
}

public import NIOCore
import Synchronization

/// The fan-out point of one stream: the current snapshot for new subscribers, and one hop per
/// event loop per published event.
///
/// The engine publishes from its one thread; subscribers join and leave on their own loops. The
/// lock guards only the snapshot and the list of loops, never a write to a socket. A subscriber
/// joins with the snapshot's last sequence number, and skips any hop it already saw in the
/// snapshot, so it gets every event exactly once whichever way the race between join and publish goes.
public final class StreamHub: Sendable {
    public let path: String

    private struct State {
        var sequence: UInt64 = 0
        /// The last state event, `changed` or `removed`.
        var stateEvent: EncodedEvent?
        /// The `invalid` in force since then, if any.
        var invalidEvent: EncodedEvent?
        var snapshot: [EncodedEvent] { [stateEvent, invalidEvent].compactMap { $0 } }
        var loops: [ObjectIdentifier: LoopSubscribers] = [:]
    }

    private let state = Mutex(State())

    public init(path: String) {
        self.path = path
    }

    /// The next sequence number, for encoding an event before publishing it.
    public func nextSequence() -> UInt64 {
        state.withLock { state in
            state.sequence += 1
            return state.sequence
        }
    }

    /// Publishes encoded events in order, under one lock: a subscriber joins before all or after
    /// all of them, so a `removed` and the `invalid` published with it are always one snapshot. A
    /// state event (`changed`, `removed`) replaces the snapshot; an `invalid` is added to it.
    public func publish(_ events: [(event: EncodedEvent, replacesState: Bool)]) {
        let loops = state.withLock { state in
            for (event, replacesState) in events {
                if replacesState {
                    state.stateEvent = event
                    state.invalidEvent = nil
                } else {
                    state.invalidEvent = event
                }
            }
            return Array(state.loops.values)
        }
        let ordered = events.map(\.event)
        for group in loops {
            group.eventLoop.execute { for event in ordered { group.deliver(event) } }
        }
    }

    /// Adds a subscriber and sends it the snapshot. Call on the sink's event loop.
    public func subscribe(_ sink: any EventSink, on eventLoop: any EventLoop) {
        eventLoop.assertInEventLoop()
        let (snapshot, group) = state.withLock { state in
            let key = ObjectIdentifier(eventLoop)
            let group = state.loops[key] ?? LoopSubscribers(eventLoop: eventLoop)
            state.loops[key] = group
            return (state.snapshot, group)
        }
        group.add(sink, joinedAt: snapshot.last?.sequence ?? 0)
        for event in snapshot { sink.receive(event) }
    }

    /// Removes a subscriber at once, e.g. when its connection closes. Call on the sink's event loop.
    public func unsubscribe(_ sink: any EventSink, on eventLoop: any EventLoop) {
        subscribers(on: eventLoop)?.remove(sink)
    }

    /// Ends every subscriber's stream cleanly, each on its own loop; returns when all have been told.
    public func finishAll() async {
        let groups = state.withLock { Array($0.loops.values) }
        for group in groups {
            try? await group.eventLoop.submit { group.finishAll() }.get()
        }
    }

    /// The subscribers on a loop, for per-loop work such as heartbeats.
    public func subscribers(on eventLoop: any EventLoop) -> LoopSubscribers? {
        state.withLock { $0.loops[ObjectIdentifier(eventLoop)] }
    }

    /// How many subscribers the stream has, summed over loops (each count read on its own loop).
    public func subscriberCount() async -> Int {
        let groups = state.withLock { Array($0.loops.values) }
        var total = 0
        for group in groups {
            total += (try? await group.eventLoop.submit { group.count }.get()) ?? 0
        }
        return total
    }
}

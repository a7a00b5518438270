public import NIOCore
import Synchronization
public import MirrorDocument

/// The fan-out point of one stream: the history (current state, recent events, the `invalid` in
/// force) for subscribers that join, and one hop per event loop per published event.
///
/// The engine publishes one stream's events from one worker at a time; subscribers join and leave
/// on their own loops. The lock guards only the history and the list of loops, never a write to a
/// socket. A subscriber joins with the sequence of the last event recorded and skips any hop at or
/// before it, so it gets every event exactly once whichever way the race between join and publish goes.
public final class StreamHub: Sendable {
    public let path: String

    private struct State {
        var sequence: UInt64 = 0
        var history: EventHistory
        var loops: [ObjectIdentifier: LoopSubscribers] = [:]
        /// Answers waiting for the whole state of a version published as a delta, each with the
        /// version it needs (see ``currentForAnswer(whenSettled:)``).
        var waiters: [(wait: SettleWait, version: UInt64, wake: @Sendable () -> Void)] = []
        var lastWaitToken: UInt64 = 0
        /// Told of each new whole state (``addStateObserver(_:)``); read under the lock a
        /// publication takes anyway, so observers cost it no lock of their own.
        var observers: [any StreamStateObserver] = []

        /// Takes out the waiters the current state now satisfies, to be woken outside the lock.
        mutating func settledWaiters() -> [@Sendable () -> Void] {
            guard !waiters.isEmpty else { return [] }
            let history = self.history
            let woken = waiters.filter { history.isCurrent(atLeast: $0.version) }
            waiters.removeAll { history.isCurrent(atLeast: $0.version) }
            return woken.map(\.wake)
        }
    }

    /// One event to publish: a new version (`event` as it goes out live, `state` the whole state at
    /// that version: the same event for `changed` and `removed`, nil for a delta whose whole
    /// state comes later through ``settle(_:)``) or an `invalid`.
    public enum Publication: Sendable {
        case version(EncodedEvent, state: EncodedEvent?)
        case invalid(EncodedEvent)

        var live: EncodedEvent {
            switch self {
            case .version(let event, _), .invalid(let event): event
            }
        }
    }

    private let state: Mutex<State>
    /// Subscribers whose socket is full right now (see ``subscriberIsFull(_:)``).
    private let fullSubscribers = Atomic<Int>(0)
    /// Bytes published and not yet handed to the subscribers' channels by their loops (counted
    /// once per loop): what a socket's writability cannot show yet.
    private let inFlightBytes = Atomic<Int>(0)
    /// From this much in flight, ``isBacklogged`` says so: two log chunks' events, so the next read
    /// overlaps the delivery of the last.
    public static let inFlightLimit = 2 << 20
    /// Called when the hub stops being backlogged, so a source that waits reads on at once.
    private let drainedHandler = Mutex<(@Sendable () -> Void)?>(nil)
    /// Subscribers now, over every loop: one more in ``subscribe(_:on:lastEventID:)``, one less
    /// when a subscriber is really removed (so exactly once however many ways it leaves), for
    /// `/healthz` and `/metrics` to read without a hop to each loop.
    private let subscriberTotal = Atomic<Int>(0)
    /// What this stream counts (``StreamMetrics``).
    public let metrics: StreamMetrics

    /// The clients holding a place on this stream (`max_clients`); the server admits and releases.
    public let clients: ClientCounter

    public init(path: String, history: HistoryLimits = HistoryLimits(), maxClients: Int? = nil, metrics: StreamMetrics? = nil) {
        self.path = path
        self.clients = ClientCounter(limit: maxClients)
        self.state = Mutex(State(history: EventHistory(limits: history)))
        self.metrics = metrics ?? .discarded(path: path)
    }

    /// The next sequence number, for encoding an event before publishing it.
    public func nextSequence() -> UInt64 {
        state.withLock { state in
            state.sequence += 1
            return state.sequence
        }
    }

    /// Publishes events in order, under one lock: a subscriber joins before all or after all of
    /// them, so a `removed` and the `invalid` published with it are always seen together.
    /// `noticed`: when the watcher noticed the change these events publish, for the
    /// change-to-event histogram (nil for what no change caused, such as a first read).
    public func publish(_ publications: [Publication], noticed: ContinuousClock.Instant? = nil) {
        metrics.published(publications, noticed: noticed)
        let (loops, woken, observers) = state.withLock { state in
            for publication in publications {
                switch publication {
                case .version(let event, let whole): state.history.record(event, state: whole)
                case .invalid(let event): state.history.record(invalid: event)
                }
            }
            return (Array(state.loops.values), state.settledWaiters(), state.observers)
        }
        for wake in woken { wake() }
        let ordered = publications.map(\.live)
        let bytes = ordered.reduce(0) { $0 + $1.chunked.readableBytes }
        for group in loops {
            inFlightBytes.add(bytes, ordering: .relaxed)
            group.eventLoop.execute { [self] in
                // Counted per hop, not per subscriber: two atomic adds per loop per publication.
                var sent = 0
                var sentBytes = 0
                for event in ordered {
                    let taken = group.deliver(event)
                    sent += taken
                    sentBytes += taken * event.payload.readableBytes
                }
                metrics.sent(events: sent, bytes: sentBytes)
                let left = inFlightBytes.subtract(bytes, ordering: .relaxed).newValue
                if left < Self.inFlightLimit, left + bytes >= Self.inFlightLimit { drained() }
            }
        }
        let whole = publications.last { if case .version(_, .some) = $0 { true } else { false } }
        if case .version(_, .some(let state)) = whole {
            for observer in observers { observer.stateChanged(state, path: path) }
        }
    }

    /// The whole state of a version published with its delta only, once encoded: from now on
    /// new subscribers start from it.
    public func settle(_ whole: EncodedEvent) {
        let (observers, woken) = state.withLock { state in
            state.history.settle(whole) ? (state.observers, state.settledWaiters()) : ([], [])
        }
        for wake in woken { wake() }
        for observer in observers { observer.stateChanged(whole, path: path) }
    }

    /// Tells `observer` of every new whole state from now on (``StreamStateObserver``), after the
    /// subscribers' hops are on their way; one already added is not added twice.
    public func addStateObserver(_ observer: any StreamStateObserver) {
        state.withLock { state in
            if !state.observers.contains(where: { $0 === observer }) { state.observers.append(observer) }
        }
    }

    /// Tells `observer` nothing more.
    public func removeStateObserver(_ observer: any StreamStateObserver) {
        state.withLock { $0.observers.removeAll { $0 === observer } }
    }

    /// What the first of this hub's observers that reports says of itself for `/healthz`, nil
    /// when none does (a stream that publishes nowhere). A stream publishes to one target, so
    /// one observer reports; a stream that publishes to several would want a list here.
    public func observerReport() -> JSONValue? {
        let observers = state.withLock { $0.observers }
        return observers.lazy.compactMap { $0.healthReport() }.first
    }

    /// The current state and the `invalid` in force, for answers that are not streams (a JSON GET).
    /// It may trail the newest version by a delta whose whole state is still being encoded; an
    /// answer that must not (a JSON GET) asks ``currentForAnswer(whenSettled:)``.
    public func current() -> (state: EncodedEvent?, invalid: EncodedEvent?) {
        state.withLock { ($0.history.current, $0.history.invalid) }
    }

    /// The current state for an answer that must never be older than a version a subscriber may
    /// already have: now, when the current state is the newest version; else `.waiting`, and
    /// `wake` is called once (on the thread that settles it, so it must only hand on) when the
    /// whole state of the version that is newest now is settled. The wait is short: the worker
    /// that published the delta encodes the document next (PROTOCOL.md, "The JSON GET").
    public func currentForAnswer(whenSettled wake: @escaping @Sendable () -> Void) -> CurrentForAnswer {
        state.withLock { state in
            let newest = state.history.newestVersion
            guard !state.history.isCurrent(atLeast: newest) else {
                return .ready(state: state.history.current, invalid: state.history.invalid)
            }
            state.lastWaitToken += 1
            let wait = SettleWait(token: state.lastWaitToken)
            state.waiters.append((wait, newest, wake))
            return .waiting(wait)
        }
    }

    /// Takes back a wait whose request ended first (closed, or timed out); it is never woken.
    public func cancel(_ wait: SettleWait) {
        state.withLock { $0.waiters.removeAll { $0.wait == wait } }
    }

    /// Adds a subscriber and sends it what it is missing: the current state, or for a client that
    /// reconnects with `lastEventID` the events after it (see ``EventHistory/replay(after:)``).
    /// Call on the sink's event loop.
    public func subscribe(_ sink: any EventSink, on eventLoop: any EventLoop, lastEventID: String? = nil) {
        eventLoop.assertInEventLoop()
        let (replay, joinedAt, group) = state.withLock { state in
            let key = ObjectIdentifier(eventLoop)
            let group = state.loops[key] ?? LoopSubscribers(eventLoop: eventLoop)
            state.loops[key] = group
            return (state.history.replay(after: lastEventID), state.history.lastSequence, group)
        }
        if group.add(sink, joinedAt: joinedAt) { subscriberTotal.add(1, ordering: .relaxed) }
        for event in replay { sink.receive(event) }
        metrics.sent(events: replay.count, bytes: replay.reduce(0) { $0 + $1.payload.readableBytes })
    }

    /// Removes a subscriber at once, e.g. when its connection closes, and counts why it left
    /// (only the first call for a subscriber counts). Call on the sink's event loop.
    public func unsubscribe(_ sink: any EventSink, on eventLoop: any EventLoop, reason: DisconnectReason = .clientClosed) {
        guard subscribers(on: eventLoop)?.remove(sink) == true else { return }
        subscriberTotal.subtract(1, ordering: .relaxed)
        metrics.disconnected(reason)
    }

    /// Ends every subscriber's stream cleanly, each on its own loop; returns when all have been
    /// told. They are removed here, counted as leaving for `reason`.
    public func finishAll(reason: DisconnectReason = .shutdown) async {
        await finish(reason: reason) { _ in true }
    }

    /// How many subscribers the stream has now: exact, and cheap to read from any thread.
    public var clientCount: Int { subscriberTotal.load(ordering: .relaxed) }

    /// Sets the clients gauge to ``clientCount``; called when the metrics are read.
    public func reportClients() {
        metrics.clients.record(clientCount)
    }

    /// Ends the streams of the subscribers `condition` picks, each on its own loop.
    public func finish(reason: DisconnectReason, where condition: @escaping @Sendable (any EventSink) -> Bool) async {
        let groups = state.withLock { Array($0.loops.values) }
        for group in groups {
            let finished = (try? await group.eventLoop.submit { group.finish(where: condition) }.get()) ?? 0
            subscriberTotal.subtract(finished, ordering: .relaxed)
            metrics.disconnected(reason, count: finished)
        }
        reportClients()
    }

    /// A subscriber's socket filled up (`true`: the kernel's buffer and the channel's high-water
    /// mark are reached) or drained again (`false`); every `true` is matched by one `false`, also
    /// when the subscriber leaves while full.
    public func subscriberIsFull(_ full: Bool) {
        let count = fullSubscribers.add(full ? 1 : -1, ordering: .relaxed).newValue
        if count == 0 { drained() }
    }

    /// Sets what is called when the hub stops being backlogged (at most one waiter: the source).
    public func onDrained(_ handler: @escaping @Sendable () -> Void) {
        drainedHandler.withLock { $0 = handler }
    }

    private func drained() {
        drainedHandler.withLock { $0 }?()
    }

    /// Whether a subscriber cannot take more bytes now, or the loops have yet to hand on more
    /// than ``inFlightLimit``. A source whose data waits safely elsewhere (a log on disk) reads
    /// no further meanwhile, rather than queue bytes a client would be closed for (see
    /// ``LineSource``).
    public var isBacklogged: Bool {
        fullSubscribers.load(ordering: .relaxed) > 0 || inFlightBytes.load(ordering: .relaxed) >= Self.inFlightLimit
    }

    /// The subscribers on a loop, for per-loop work such as heartbeats.
    public func subscribers(on eventLoop: any EventLoop) -> LoopSubscribers? {
        state.withLock { $0.loops[ObjectIdentifier(eventLoop)] }
    }
}

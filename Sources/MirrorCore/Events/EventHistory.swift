/// The recent events of one stream, kept for clients that reconnect, and the current state kept
/// apart for everyone who joins.
///
/// A value, driven by the hub under its lock. Three things are held:
/// - `current`: a whole state (a `changed` or `removed`), outside any bound, so even a document
///   larger than the history reaches every new subscriber. It may lag the newest version: a patch
///   stream publishes the patch first and encodes the whole document afterwards (for a 50 MB
///   document that takes a while), and until then the events after `current` complete it (a
///   JSON GET waits for it instead, ``StreamHub/currentForAnswer(whenSettled:)``);
/// - `entries`: the events with ids, oldest first, with consecutive versions ending at the newest,
///   bounded by count and by bytes (the oldest go first; the newest, and every event after
///   `current`, are always kept);
/// - `invalid`: the `invalid` in force since the newest version, if any.
///
/// What a joining client gets (``replay(after:run:)``) follows WHATWG HTML §9.2.4: a client that
/// reconnects sends the last id it saw as `Last-Event-ID`. If every event after it is still held,
/// it gets exactly those, starting from the newest whole state among them when there is one (what
/// came before a whole state cannot matter to it); otherwise it gets the current state. It never
/// gets a delta whose base it does not have.
public struct EventHistory: Sendable {
    public let limits: HistoryLimits
    public private(set) var current: EncodedEvent?
    public private(set) var invalid: EncodedEvent?
    /// The sequence of the last event recorded, for subscribers to skip what their replay held.
    public private(set) var lastSequence: UInt64 = 0

    private var entries: [EncodedEvent] = []
    /// Entries before this index are evicted (compacted away now and then, so eviction is O(1)).
    private var start = 0
    private var bytes = 0

    public init(limits: HistoryLimits) {
        self.limits = limits
    }

    /// The events held with ids, oldest first.
    public var held: ArraySlice<EncodedEvent> { entries[start...] }

    /// Whether ``current`` is at least version `version`: false while a delta up to it was
    /// published and its whole state is still being encoded.
    public func isCurrent(atLeast version: UInt64) -> Bool {
        (current?.id?.version ?? 0) >= version
    }

    /// The newest version recorded, whole or delta (0 before the first).
    public var newestVersion: UInt64 {
        held.last?.id?.version ?? current?.id?.version ?? 0
    }

    /// Records a new version: `event` as it went out live, and `state`, the whole state at the same
    /// version (the same event when `event` is itself a `changed` or `removed`), or nil when it
    /// comes later through ``settle(_:)``.
    public mutating func record(_ event: EncodedEvent, state: EncodedEvent?) {
        precondition(event.id != nil && (event.role != .delta || current != nil))
        if event.role == .state {
            current = event
        } else if let state {
            current = state
        }
        invalid = nil
        lastSequence = event.sequence
        entries.append(event)
        bytes += event.payload.readableBytes
        evict()
    }

    /// The whole state of a version recorded earlier without one; ignored if a newer whole state
    /// is already current (the worker that encoded it was overtaken).
    /// Returns whether it became the current state.
    @discardableResult
    public mutating func settle(_ state: EncodedEvent) -> Bool {
        guard let version = state.id?.version, version > current?.id?.version ?? 0 else { return false }
        current = state
        evict()
        return true
    }

    private mutating func evict() {
        let currentVersion = current?.id?.version ?? 0
        while entries.count - start > 1, entries.count - start > limits.events || bytes > limits.bytes,
            entries[start].id!.version <= currentVersion
        {
            bytes -= entries[start].payload.readableBytes
            entries[start] = current!  // drops the reference to the evicted bytes
            start += 1
        }
        if start > 64, start * 2 > entries.count {
            entries.removeFirst(start)
            start = 0
        }
    }

    /// Records an `invalid` that now stands over the current version.
    public mutating func record(invalid event: EncodedEvent) {
        invalid = event
        lastSequence = event.sequence
    }

    /// The events a client joining now gets, in order. `lastEventID` is what it sent as
    /// `Last-Event-ID` (nil for a first connection); an id of another run never matches, since
    /// the run is part of every id this history holds.
    public func replay(after lastEventID: String?) -> [EncodedEvent] {
        guard let current else { return [] }
        var events = catchUp(after: lastEventID.flatMap(EventID.init(parsing:)), current: current, newest: held.last?.id ?? current.id!)
        if let invalid { events.append(invalid) }
        return events
    }

    private func catchUp(after last: EventID?, current: EncodedEvent, newest: EventID) -> [EncodedEvent] {
        guard let last, last.run == newest.run, last.version <= newest.version else {
            return whole(current)
        }
        if last.version == newest.version { return [] }
        let held = self.held
        guard let oldest = held.first?.id, oldest.version <= last.version + 1 else { return whole(current) }
        let missed = held.dropFirst(Int(last.version + 1 - oldest.version))
        if let whole = missed.lastIndex(where: { $0.role == .state }) {
            return Array(missed[whole...])
        }
        return Array(missed)
    }

    /// `current` and the events after it: the newest state for a client that has nothing usable.
    private func whole(_ current: EncodedEvent) -> [EncodedEvent] {
        let version = current.id!.version
        return [current] + held.filter { $0.id!.version > version }
    }
}

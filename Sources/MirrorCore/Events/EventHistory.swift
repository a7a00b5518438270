/// The recent events of one stream, kept for clients that reconnect, and the current state kept
/// apart for everyone who joins.
///
/// A value, driven by the hub under its lock. Three things are held:
/// - `current`: the whole state at the newest version (a `changed` or `removed`), outside any
///   bound, so even a document larger than the history reaches every new subscriber;
/// - `entries`: the events with ids, oldest first, with consecutive versions ending at the newest,
///   bounded by count and by bytes (the oldest go first; the newest is always kept);
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

    /// Records a new version: `event` as it went out live, and `state`, the whole state at the same
    /// version (the same event when `event` is itself a `changed` or `removed`).
    public mutating func record(_ event: EncodedEvent, state: EncodedEvent) {
        precondition(event.id != nil && state.role == .state)
        current = state
        invalid = nil
        lastSequence = event.sequence
        entries.append(event)
        bytes += event.payload.readableBytes
        while entries.count - start > 1, entries.count - start > limits.events || bytes > limits.bytes {
            bytes -= entries[start].payload.readableBytes
            entries[start] = state  // drops the reference to the evicted bytes
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
    /// `Last-Event-ID` (nil for a first connection); `run` is this server's run.
    public func replay(after lastEventID: String?) -> [EncodedEvent] {
        guard let current else { return [] }
        var events = catchUp(after: lastEventID.flatMap(EventID.init(parsing:)), current: current)
        if let invalid { events.append(invalid) }
        return events
    }

    private func catchUp(after last: EventID?, current: EncodedEvent) -> [EncodedEvent] {
        guard let last, let newest = current.id, last.run == newest.run, last.version <= newest.version else {
            return [current]
        }
        if last.version == newest.version { return [] }
        let held = self.held
        guard let oldest = held.first?.id, oldest.version <= last.version + 1 else { return [current] }
        let missed = held.dropFirst(Int(last.version + 1 - oldest.version))
        if let whole = missed.lastIndex(where: { $0.role == .state }) {
            return Array(missed[whole...])
        }
        return Array(missed)
    }
}

public import NIOCore

/// The subscribers of one stream that live on one event loop.
///
/// Only that loop touches this object (each method checks it in debug builds), so delivery needs
/// no lock: the hub hops to each loop once per event and this loop writes to all its subscribers.
public final class LoopSubscribers: @unchecked Sendable {
    public let eventLoop: any EventLoop

    private struct Entry {
        let sink: any EventSink
        /// The last sequence the subscriber got from the snapshot it joined with.
        let joinedAt: UInt64
    }

    /// An array, walked once per event (faster than a dictionary's values); `positions` finds an
    /// entry to remove, which moves the last one into its place.
    private var entries: [Entry] = []
    private var positions: [ObjectIdentifier: Int] = [:]

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public var count: Int {
        eventLoop.assertInEventLoop()
        return entries.count
    }

    /// Returns whether the sink is new here (a sink added again only moves its join point).
    func add(_ sink: any EventSink, joinedAt: UInt64) -> Bool {
        eventLoop.assertInEventLoop()
        let key = ObjectIdentifier(sink)
        if let position = positions[key] {
            entries[position] = Entry(sink: sink, joinedAt: joinedAt)
            return false
        }
        positions[key] = entries.count
        entries.append(Entry(sink: sink, joinedAt: joinedAt))
        return true
    }

    /// Returns whether the sink was here: only the first removal of a subscriber counts.
    func remove(_ sink: any EventSink) -> Bool {
        eventLoop.assertInEventLoop()
        guard let position = positions.removeValue(forKey: ObjectIdentifier(sink)) else { return false }
        let last = entries.removeLast()
        if position < entries.count {
            entries[position] = last
            positions[ObjectIdentifier(last.sink)] = position
        }
        return true
    }

    /// Delivers a published event to every subscriber that does not have it from its snapshot;
    /// returns how many took it.
    func deliver(_ event: EncodedEvent) -> Int {
        eventLoop.assertInEventLoop()
        var taken = 0
        for entry in entries where entry.joinedAt < event.sequence {
            entry.sink.receive(event)
            taken += 1
        }
        return taken
    }

    /// Delivers a heartbeat comment, which is not part of the stream's state, to every subscriber.
    public func heartbeat(_ comment: EncodedEvent) {
        eventLoop.assertInEventLoop()
        for entry in entries {
            entry.sink.receiveHeartbeat(comment)
        }
    }

    /// Ends the streams of the subscribers `condition` picks (all of them at shutdown, those whose
    /// token a reload removed), removing them first, so the leave each makes as its connection
    /// closes finds nothing to count; returns how many there were.
    func finish(where condition: (any EventSink) -> Bool) -> Int {
        eventLoop.assertInEventLoop()
        let finishing = entries.filter { condition($0.sink) }
        for entry in finishing { _ = remove(entry.sink) }
        for entry in finishing { entry.sink.finish() }
        return finishing.count
    }
}

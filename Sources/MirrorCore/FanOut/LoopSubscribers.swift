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

    func add(_ sink: any EventSink, joinedAt: UInt64) {
        eventLoop.assertInEventLoop()
        let key = ObjectIdentifier(sink)
        if let position = positions[key] {
            entries[position] = Entry(sink: sink, joinedAt: joinedAt)
            return
        }
        positions[key] = entries.count
        entries.append(Entry(sink: sink, joinedAt: joinedAt))
    }

    func remove(_ sink: any EventSink) {
        eventLoop.assertInEventLoop()
        guard let position = positions.removeValue(forKey: ObjectIdentifier(sink)) else { return }
        let last = entries.removeLast()
        if position < entries.count {
            entries[position] = last
            positions[ObjectIdentifier(last.sink)] = position
        }
    }

    /// Delivers a published event to every subscriber that does not have it from its snapshot.
    func deliver(_ event: EncodedEvent) {
        eventLoop.assertInEventLoop()
        for entry in entries where entry.joinedAt < event.sequence {
            entry.sink.receive(event)
        }
    }

    /// Delivers a heartbeat comment, which is not part of the stream's state, to every subscriber.
    public func heartbeat(_ comment: EncodedEvent) {
        eventLoop.assertInEventLoop()
        for entry in entries {
            entry.sink.receiveHeartbeat(comment)
        }
    }

    /// Ends the streams of the subscribers `condition` picks (say, those whose token a reload removed).
    func finish(where condition: (any EventSink) -> Bool) {
        eventLoop.assertInEventLoop()
        for entry in entries where condition(entry.sink) {
            entry.sink.finish()
        }
    }

    /// Ends every subscriber's stream; each leaves as its connection closes.
    func finishAll() {
        eventLoop.assertInEventLoop()
        for entry in entries {
            entry.sink.finish()
        }
    }
}

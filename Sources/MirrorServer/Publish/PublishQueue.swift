import MirrorCore

/// What a publish pump has yet to send, as a value: at most one whole state per stream, the
/// newest (a snapshot supersedes the one before it, so the queue is bounded by the number of
/// streams however long the target is down), and the last state of every stream, to publish
/// again when the target comes back.
///
/// ``PublishPump`` keeps one under a lock: a publishing thread only offers into it, and the pump's
/// loop takes from it. Tested without sockets.
struct PublishQueue: Sendable {
    /// The next state to send per stream, in the order the streams first had one waiting.
    private var pending: [String: EncodedEvent] = [:]
    private var order: [String] = []
    /// Each stream's newest state, sent or not.
    private var latest: [String: EncodedEvent] = [:]
    /// Whether the pump's loop is working through the queue (or waiting to retry); while it is,
    /// an offer needs no wake-up.
    private var running = false
    /// States that were never sent because a newer one of the same stream took their place,
    /// or the target refused them; counted since the pump started.
    private(set) var dropped = 0

    init() {}

    /// What ``offer(_:for:)`` did.
    struct Offer: Equatable, Sendable {
        /// The pump's loop is idle and must be woken.
        var wake: Bool
        /// An unsent older state of the stream was dropped for this one.
        var superseded: Bool
        /// The state is not newer than what the queue already has (a late observer call).
        var stale: Bool
    }

    /// Takes a stream's new whole state.
    mutating func offer(_ state: EncodedEvent, for path: String) -> Offer {
        if let known = latest[path], !Self.isNewer(state, than: known) {
            return Offer(wake: false, superseded: false, stale: true)
        }
        latest[path] = state
        let superseded = enqueue(state, for: path)
        let wake = !running
        running = true
        return Offer(wake: wake, superseded: superseded, stale: false)
    }

    /// A stream now publishes here from `state` on, whatever it published before (a stream
    /// started anew by a reload counts its versions from 1 again).
    mutating func attach(_ state: EncodedEvent?, for path: String) -> Bool {
        remove(path)
        guard let state else { return false }
        latest[path] = state
        _ = enqueue(state, for: path)
        let wake = !running
        running = true
        return wake
    }

    /// The stream no longer publishes here.
    mutating func remove(_ path: String) {
        latest[path] = nil
        if pending.removeValue(forKey: path) != nil { order.removeAll { $0 == path } }
    }

    /// The next state to send, oldest stream first; nil when nothing waits, and the loop is then
    /// idle until the next offer wakes it.
    mutating func next() -> (path: String, state: EncodedEvent)? {
        guard !order.isEmpty else {
            running = false
            return nil
        }
        let path = order.removeFirst()
        return (path, pending.removeValue(forKey: path)!)
    }

    /// A send failed and will be retried: the state goes back to the front, unless a newer one
    /// of the same stream came meanwhile (then it is dropped, and `true` says so).
    mutating func retry(_ state: EncodedEvent, for path: String) -> Bool {
        guard latest[path] != nil else { return false }
        if pending[path] != nil {
            dropped += 1
            return true
        }
        pending[path] = state
        order.insert(path, at: 0)
        return false
    }

    /// The target refused a state for good (a 4xx): counted as dropped.
    mutating func refused() {
        dropped += 1
    }

    /// The target is back after an outage: every stream's newest state goes again, so that a target
    /// that lost its messages (restarted without Redis) has a base for every late subscriber.
    /// `sent`: what was just sent, which need not go twice.
    mutating func republishAll(except sent: (path: String, state: EncodedEvent)?) {
        for (path, state) in latest.sorted(by: { $0.key < $1.key }) where pending[path] == nil {
            if let sent, sent.path == path, !Self.isNewer(state, than: sent.state) { continue }
            pending[path] = state
            order.append(path)
        }
    }

    /// How many streams have a state waiting.
    var waiting: Int { order.count }

    private mutating func enqueue(_ state: EncodedEvent, for path: String) -> Bool {
        if pending.updateValue(state, forKey: path) != nil {
            dropped += 1
            return true
        }
        order.append(path)
        return false
    }

    /// Whether `state` is a later version than `known`: a higher version of the same run, or any
    /// version of another run (a stream started anew).
    static func isNewer(_ state: EncodedEvent, than known: EncodedEvent) -> Bool {
        guard let id = state.id, let knownID = known.id else { return state.sequence > known.sequence }
        return id.run != knownID.run || id.version > knownID.version
    }
}

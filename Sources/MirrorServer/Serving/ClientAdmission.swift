import MirrorCore
import Synchronization

/// Whether one more event stream may open: a place on its stream (`max_clients` of the stream)
/// and one on the server (`limits.max_clients`), both or neither.
struct ClientAdmission: Sendable {
    let server: ClientCounter

    init(maximumClients: Int?) {
        server = ClientCounter(limit: maximumClients)
    }

    /// Takes a place on each stream and one on the server, or none: those taken are given back
    /// when one has no room. A multiplexed connection holds a place on each of its streams (it
    /// costs each its fan-out, as a client of its own would) and one on the server (one socket).
    func admit(to hubs: [StreamHub]) -> ClientSlot? {
        var taken: [ClientCounter] = []
        for counter in hubs.map(\.clients) + [server] {
            guard counter.admit() else {
                for counter in taken { counter.release() }
                return nil
            }
            taken.append(counter)
        }
        return ClientSlot(counters: taken)
    }

    /// Whether a stream request would be refused now (for a JSON GET, which takes no place).
    func isFull(_ hub: StreamHub) -> Bool {
        hub.clients.isFull || server.isFull
    }
}

/// The places one admitted client holds, given back exactly once: when its stream ends, or, should
/// the connection never become a stream (its setup failed), when the slot is dropped.
final class ClientSlot: Sendable {
    private let counters: [ClientCounter]
    private let released = Atomic(false)

    fileprivate init(counters: [ClientCounter]) {
        self.counters = counters
    }

    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for counter in counters { counter.release() }
    }

    deinit {
        release()
    }
}

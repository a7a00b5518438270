import MirrorCore
import Synchronization

/// Whether one more event stream may open: a place on its stream (`max_clients` of the stream)
/// and one on the server (`limits.max_clients`), both or neither.
struct ClientAdmission: Sendable {
    let server: ClientCounter

    init(maximumClients: Int?) {
        server = ClientCounter(limit: maximumClients)
    }

    /// Takes both places, or none: the stream's is given back when the server has no room.
    func admit(to hub: StreamHub) -> ClientSlot? {
        guard hub.clients.admit() else { return nil }
        guard server.admit() else {
            hub.clients.release()
            return nil
        }
        return ClientSlot(counters: [hub.clients, server])
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

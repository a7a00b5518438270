public import MirrorCore
import Synchronization

/// The configuration in force, as a request is decided against it: the routes to the streams and
/// the host, auth and CORS policies. Every request, and every heartbeat tick, reads it anew; a reload builds a new
/// one and swaps it in whole, so a request is decided against one configuration, never half of
/// the old one and half of the new.
public struct ServingState: Sendable {
    public let config: MirrorConfig
    public let router: Router
    public let hosts: HostPolicy
    let cors: CORSPolicy
    /// How each stream is watched now (inotify, or polling and why), for `/healthz`.
    let watchStatuses: [String: WatchStatus]

    /// - Parameter hubs: one per stream of `config`, in its order.
    public init(config: MirrorConfig, hubs: [StreamHub], watchStatuses: [String: WatchStatus] = [:]) {
        self.watchStatuses = watchStatuses
        self.config = config
        self.router = Router(hubs: hubs)
        self.hosts = HostPolicy(listenHost: config.listen.host, extra: config.hosts)
        self.cors = CORSPolicy(origins: config.access.corsOrigins)
    }
}

/// Where the ``ServingState`` in force is read from and swapped. Reading takes a lock for the
/// copy of a few references, never across a write to a socket.
public final class CurrentServingState: Sendable {
    private let state: Mutex<ServingState>

    public init(_ state: ServingState) {
        self.state = Mutex(state)
    }

    public var now: ServingState { state.withLock { $0 } }

    func replace(with state: ServingState) {
        self.state.withLock { $0 = state }
    }
}

public import MirrorCore
public import NIOHTTP1
import MirrorDocument

/// Where a request goes: a plain decision from method and target, apart from any channel.
public enum Route {
    case stream(StreamHub, headOnly: Bool)
    /// `/events`: several streams on one connection; the query names them (``MultiplexRequest``).
    case multiplex(headOnly: Bool)
    case health(headOnly: Bool)
    /// `/`: the dashboard page (``DashboardPage``).
    case dashboard(headOnly: Bool)
    /// `/client.js`: the module the page imports (``ClientScript``).
    case clientScript(headOnly: Bool)
    /// `OPTIONS` on a path that exists (RFC 9110 §9.3.7): what it allows, and CORS preflights.
    case options(allow: String)
    /// `/metrics`: the Prometheus text exposition.
    case metrics(headOnly: Bool)
    case notFound
    /// The path exists but not for this method (RFC 9110 §15.5.6): `allow` lists the ones it takes.
    case methodNotAllowed(allow: String)
}

public struct Router: Sendable {
    /// Every stream's hub, in config order (heartbeats walk them).
    public let hubs: [StreamHub]
    /// Keyed by Unicode scalars (``ScalarString``), not by `String ==`: a path asked for must be the
    /// configured one byte for byte (RFC 3986 §6.2.1), and Swift's canonical equivalence would take
    /// a `stream=` value of `/\u{212A}` (KELVIN SIGN, decoded from `/%E2%84%AA`) for the stream `/K`.
    private let hubsByPath: [ScalarString: StreamHub]

    public init(hubs: [StreamHub]) {
        self.hubs = hubs
        self.hubsByPath = Dictionary(uniqueKeysWithValues: hubs.map { (ScalarString($0.path), $0) })
    }

    public func hub(forPath path: String) -> StreamHub? { hubsByPath[ScalarString(path)] }

    static let allowed = "GET, HEAD, OPTIONS"
    /// The multiplexed route. A stream path may not take it (`StreamPathRule.reserved`: the config
    /// is refused at load), so the two never collide.
    public static let multiplexPath = "/events"
    /// The server's own routes (each in `StreamPathRule.reserved`, so no stream takes one).
    static let fixedPaths: Set<String> = ["/healthz", "/metrics", multiplexPath, DashboardPage.path, ClientScript.path]

    /// Routes by the path of the request target (RFC 9112 §3.2, see ``RequestTarget``): the query
    /// is not part of the match.
    public func route(method: HTTPMethod, path: String) -> Route {
        let headOnly = method == .HEAD
        let hub = hub(forPath: path)
        guard hub != nil || Self.fixedPaths.contains(path) else { return .notFound }
        switch method {
        case .GET, .HEAD:
            if let hub { return .stream(hub, headOnly: headOnly) }
            switch path {
            case Self.multiplexPath: return .multiplex(headOnly: headOnly)
            case "/healthz": return .health(headOnly: headOnly)
            case DashboardPage.path: return .dashboard(headOnly: headOnly)
            case ClientScript.path: return .clientScript(headOnly: headOnly)
            default: return .metrics(headOnly: headOnly)
            }
        case .OPTIONS: return .options(allow: Self.allowed)
        default: return .methodNotAllowed(allow: Self.allowed)
        }
    }
}

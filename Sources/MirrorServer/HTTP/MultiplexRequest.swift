public import MirrorCore
import MirrorDocument

/// Which streams a request for `/events` asks for (PROTOCOL.md "Multiplexing"): a plain decision
/// from the request target and the routes, apart from any channel.
///
/// Each `stream=` of the query names one stream, in the order the events' ids list them. A value
/// is the stream's path exactly as configured (so percent-escapes and all), form-encoded once more
/// as any query value is (WHATWG URL §5.1; what `URLSearchParams` writes).
public enum MultiplexRequest {
    case streams([StreamHub])
    /// 400: no stream named, one named twice (each stream has one place in the composite id), or a
    /// value that does not decode.
    case badRequest(String)
    /// 404: a path no stream has.
    case notFound(String)

    public static func decide(target: RequestTarget, router: Router) -> MultiplexRequest {
        let values = target.queryValues("stream")
        guard !values.isEmpty else {
            return .badRequest("name the streams in the query: \(Router.multiplexPath)?stream=/a&stream=/b")
        }
        var hubs: [StreamHub] = []
        for value in values {
            guard let path = value else { return .badRequest("a stream= value is not form-encoded") }
            guard !hubs.contains(where: { $0.path.hasSameScalars(as: path) }) else { return .badRequest("the stream '\(shown(path))' is named twice") }
            guard let hub = router.hub(forPath: path) else { return .notFound("no stream '\(shown(path))'") }
            hubs.append(hub)
        }
        return .streams(hubs)
    }

    /// A path as an answer may echo it: printable ASCII and short, else elided.
    private static func shown(_ path: String) -> String {
        let printable = path.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        return printable && path.utf8.count <= 200 ? path : "(a path of \(path.utf8.count) bytes)"
    }
}

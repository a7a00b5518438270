import MirrorDocument
import NIOHTTP1

/// The request head that opens (or resumes) an event stream, as an EventSource sends it (WHATWG
/// HTML §9.2.2 and §9.2.4): `Accept: text/event-stream`, `Cache-Control: no-cache`, and the last
/// event ID when there is one to resume from.
enum StreamRequest {
    static func head(for target: FollowTarget, lastEventID: String?, token: String?) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostField)
        headers.add(name: "Accept", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-cache")
        headers.add(name: "User-Agent", value: "sse-mirror-follow")
        if let lastEventID, !lastEventID.isEmpty {
            headers.add(name: "Last-Event-ID", value: lastEventID)
        }
        if let token {
            // RFC 6750 §2.1.
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestTarget, headers: headers)
    }
}

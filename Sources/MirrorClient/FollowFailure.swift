import NIOHTTP1

/// Why following cannot go on: the server refused the request in a way retrying cannot change.
///
/// A `5xx` or a lost connection is not one of these: the follower waits and reconnects, as an
/// EventSource does. A `4xx` (a wrong token, a stream that does not exist) or an answer that is
/// not an event stream is (WHATWG HTML §9.2.3 "fail the connection" does the same for EventSource).
public struct FollowFailure: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case refused(HTTPResponseStatus, body: String)
        case notAnEventStream(contentType: String)
        case tls(String)
    }

    private let kind: Kind

    static func refused(_ status: HTTPResponseStatus, body: String) -> FollowFailure {
        FollowFailure(kind: .refused(status, body: body))
    }

    static func notAnEventStream(contentType: String) -> FollowFailure {
        FollowFailure(kind: .notAnEventStream(contentType: contentType))
    }

    static func tls(_ message: String) -> FollowFailure {
        FollowFailure(kind: .tls(message))
    }

    /// True for the answers a reconnect may change (`5xx`); the follower retries those itself.
    static func isRetryable(_ status: HTTPResponseStatus) -> Bool {
        status.code >= 500
    }

    public var description: String {
        switch kind {
        case .refused(let status, let body):
            var text = "the server answered \(status.code) \(status.reasonPhrase)"
            let firstLine = body.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            if !firstLine.isEmpty && firstLine != status.reasonPhrase { text += ": \(firstLine)" }
            if status == .unauthorized { text += " (a token is needed: --token)" }
            return text
        case .notAnEventStream(let contentType):
            return "the answer is not an event stream (Content-Type: \(contentType.isEmpty ? "none" : contentType))"
        case .tls(let message):
            return "TLS failed: \(message)"
        }
    }
}

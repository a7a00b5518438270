import NIOCore
import NIOHTTP1

/// A whole answer that is not an event stream: a status, its header fields and a body, sent with
/// `Connection: close` (one request per connection; see ``HTTPRequestHandler``).
///
/// The fields are in the order they go out: `Content-Type`, `Content-Length`, `Connection`, the
/// answer's own fields, then those of every answer to the request (CORS).
struct PlainResponse: Equatable {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    /// What follows the head. Nil for a `HEAD`, which gets the fields of a `GET` without its
    /// content (RFC 9110 §9.3.2), and for a 204 or 304, which have none (RFC 9110 §15.3.5, §15.4.5).
    let body: ByteBuffer?

    /// - Parameters:
    ///   - body: nil for an answer without content, which then has no `Content-Length` either.
    ///   - fields: this answer's own fields (`Allow`, `ETag`, `Retry-After`, ...).
    ///   - cors: the fields every answer to this request carries (``CORSPolicy``).
    init(
        _ status: HTTPResponseStatus,
        body: ByteBuffer?,
        contentType: String?,
        headOnly: Bool = false,
        fields: [(String, String)] = [],
        cors: [(String, String)] = []
    ) {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        if let body { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        headers.add(name: "Connection", value: "close")
        headers.add(contentsOf: fields)
        headers.add(contentsOf: cors)
        self.status = status
        self.headers = headers
        self.body = headOnly ? nil : body
    }

    /// A short text for a person reading the answer (a refusal, and why).
    static func text(_ status: HTTPResponseStatus, _ text: String, fields: [(String, String)] = [], cors: [(String, String)] = []) -> PlainResponse {
        PlainResponse(status, body: ByteBuffer(string: text), contentType: "text/plain; charset=utf-8", fields: fields, cors: cors)
    }
}

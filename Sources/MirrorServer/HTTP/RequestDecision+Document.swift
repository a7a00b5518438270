import MirrorCore
import NIOCore
import NIOHTTP1

/// The answers to a `GET` of one representation: a stream's current document (the JSON GET) and
/// the assets the server holds in memory. Both carry a strong validator, so a client that polls
/// with `If-None-Match` gets a 304 until the content changes (RFC 9110 §13.1.2).
extension RequestDecision {
    /// The current document as one JSON answer, with its id as the entity tag (RFC 9110 §8.8.3);
    /// 404 with a JSON body while the file is absent.
    ///
    /// - Parameter state: the stream's current state as the hub has it once settled (never older
    ///   than a version some client already has; see ``Answer/document(_:headOnly:cors:)``).
    static func document(_ state: EncodedEvent?, ifNoneMatch: [String], headOnly: Bool, cors: [(String, String)]) -> PlainResponse {
        guard let state, state.name == "changed", let id = state.id else {
            var body = ByteBuffer(string: #"{"error":"the watched file is absent","removed":"#)
            if var removed = state?.data { body.writeBuffer(&removed) } else { body.writeString("null") }
            body.writeString("}\n")
            return PlainResponse(.notFound, body: body, contentType: "application/json", headOnly: headOnly, cors: cors)
        }
        let tag = "\"\(id)\""
        let fields = [("ETag", tag), ("Cache-Control", "no-cache")]
        if EntityTags(ifNoneMatch).matches(tag) {
            return PlainResponse(.notModified, body: nil, contentType: nil, fields: fields, cors: cors)
        }
        return PlainResponse(.ok, body: state.data, contentType: "application/json", headOnly: headOnly, fields: fields, cors: cors)
    }

    /// A JSON GET whose document was not settled within ``HTTPRequestHandler/settleTimeout``: a
    /// 503 that asks the client back soon (RFC 9110 §15.6.4, §10.2.3).
    static func stillEncoding(cors: [(String, String)]) -> PlainResponse {
        .text(
            .serviceUnavailable, "Service Unavailable: the newest version is still being encoded; try again\n",
            fields: [("Retry-After", "1")], cors: cors
        )
    }

    /// A page or script from memory; a 304 carries only its validator and caching fields
    /// (RFC 9110 §15.4.5).
    static func asset(_ asset: StaticAsset, ifNoneMatch: [String], headOnly: Bool, cors: [(String, String)]) -> PlainResponse {
        if EntityTags(ifNoneMatch).matches(asset.etag) {
            let fields = asset.fields.filter { $0.0 == "ETag" || $0.0 == "Cache-Control" }
            return PlainResponse(.notModified, body: nil, contentType: nil, fields: fields, cors: cors)
        }
        return PlainResponse(.ok, body: asset.body, contentType: nil, headOnly: headOnly, fields: asset.fields, cors: cors)
    }
}

import NIOHTTP1

/// Which pages on other origins may read the streams (`cors: {origins: [...]}`), per the Fetch
/// standard's CORS protocol (WHATWG Fetch §3.2).
///
/// A request from an allowed origin gets `Access-Control-Allow-Origin` with that origin echoed
/// and `Access-Control-Allow-Credentials: true` (a page using `withCredentials`); any other origin
/// is answered all the same, only without them, so the browser keeps the answer from the page.
/// Answers vary by `Origin` whenever origins are configured, so a cache never hands one origin's
/// answer to another. `*` lets any page read, without credentials (Fetch §3.2.5 forbids both).
struct CORSPolicy: Sendable {
    let origins: Set<String>
    private let anyOrigin: Bool

    /// Headers a cross-origin page may send: the resume id of a reconnecting EventSource and a
    /// token (both are non-safelisted, so a page that sets them is preflighted).
    static let allowedHeaders = "Last-Event-ID, Authorization"
    static let allowedMethods = "GET, HEAD, OPTIONS"
    /// How long a browser may cache a preflight's answer (Chromium caps it at 2 hours).
    static let maxAge = "600"

    init(origins: [String]) {
        self.anyOrigin = origins.contains("*")
        self.origins = Set(origins.filter { $0 != "*" })
    }

    var isEnabled: Bool { anyOrigin || !origins.isEmpty }

    /// The fields an answer to a request with this `Origin` carries.
    func fields(origin: String?) -> [(String, String)] {
        guard isEnabled else { return [] }
        guard let origin else { return [("Vary", "Origin")] }
        if origins.contains(origin.lowercased()) {
            return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")]
        }
        if anyOrigin { return [("Access-Control-Allow-Origin", "*"), ("Vary", "Origin")] }
        return [("Vary", "Origin")]
    }

    /// The fields of an answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`):
    /// what a page may send, when its origin may read at all.
    func preflightFields(origin: String?) -> [(String, String)] {
        let base = fields(origin: origin)
        guard base.contains(where: { $0.0 == "Access-Control-Allow-Origin" }) else { return base }
        return base + [
            ("Access-Control-Allow-Methods", Self.allowedMethods),
            ("Access-Control-Allow-Headers", Self.allowedHeaders),
            ("Access-Control-Max-Age", Self.maxAge),
        ]
    }
}

/// A request target split into what routing and the host check need (RFC 9112 §3.2).
///
/// Origin form (`/config?x`) is what browsers send; absolute form (`http://127.0.0.1:8080/config`)
/// is what a client speaking to a proxy sends, and a server must accept it too (§3.2.2), taking
/// the host from the target instead of the `Host` field.
public struct RequestTarget: Sendable, Equatable {
    /// The path, without query: what routes match.
    public var path: String
    /// The authority of an absolute-form target (`127.0.0.1:8080`); nil for origin form.
    public var authority: String?

    public init(path: String, authority: String? = nil) {
        self.path = path
        self.authority = authority
    }

    /// Nil when the target is none of the forms a GET may use.
    public init?(parsing uri: String) {
        if uri.hasPrefix("/") {
            self.init(path: Self.stripQuery(Substring(uri)))
            return
        }
        let lowered = uri.prefix(8).lowercased()
        let schemeLength = lowered.hasPrefix("http://") ? 7 : lowered.hasPrefix("https://") ? 8 : 0
        guard schemeLength > 0 else { return nil }
        let rest = uri.dropFirst(schemeLength)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // userinfo in a target is refused (RFC 9110 §4.2.4); an empty host names nothing.
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        let remainder = rest[authorityEnd...]
        let path = Self.stripQuery(remainder)
        self.init(path: path.isEmpty ? "/" : path, authority: String(authority))
    }

    private static func stripQuery(_ text: Substring) -> String {
        String(text.prefix(while: { $0 != "?" && $0 != "#" }))
    }
}

import MirrorDocument

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
    /// The query, without `?` and without any fragment; nil when there is none.
    public var query: String?

    public init(path: String, authority: String? = nil, query: String? = nil) {
        self.path = path
        self.authority = authority
        self.query = query
    }

    /// The value of the first `name=value` pair of the query (`application/x-www-form-urlencoded`,
    /// WHATWG URL §5.1: `+` is a space, `%XX` a byte), or nil. Bad escapes make it nil, not a guess.
    public func queryValue(_ name: String) -> String? {
        queryValues(name).first ?? nil
    }

    /// The values of every `name=value` pair of the query, in order (a name may repeat, as
    /// `URLSearchParams.append` writes it); nil for a value with a bad escape.
    public func queryValues(_ name: String) -> [String?] {
        guard let query else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.formDecode(parts[0])?.hasSameScalars(as: name) == true else { return nil }
            return .some(parts.count > 1 ? Self.formDecode(parts[1]) : "")
        }
    }

    private static func formDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - 0x30
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - 0x57
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - 0x37
        default: nil
        }
    }

    /// Nil when the target is none of the forms a GET may use.
    public init?(parsing uri: String) {
        if uri.hasPrefix("/") {
            self.init(path: Self.stripQuery(Substring(uri)), query: Self.query(Substring(uri)))
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
        self.init(path: path.isEmpty ? "/" : path, authority: String(authority), query: Self.query(remainder))
    }

    private static func query(_ text: Substring) -> String? {
        let beforeFragment = text.prefix(while: { $0 != "#" })
        guard let mark = beforeFragment.firstIndex(of: "?") else { return nil }
        let rest = beforeFragment[beforeFragment.index(after: mark)...]
        return String(rest.prefix(while: { $0 != "#" }))
    }

    private static func stripQuery(_ text: Substring) -> String {
        String(text.prefix(while: { $0 != "?" && $0 != "#" }))
    }
}

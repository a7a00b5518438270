public import MirrorDocument

/// Where a publish pump posts a stream's states, and how: an nchan publisher location
/// (`publish: {nchan: URL}`) or a plain webhook (`publish: {webhook: URL}`), each
/// `http://[user:password@]host[:port]/path` with `{stream}` for the stream's path without its
/// leading slash.
///
/// Plain HTTP only: the publisher location belongs on loopback or a private network (README.md,
/// "Scaling out"), where TLS buys little. Credentials in the URL go out as HTTP Basic
/// (RFC 7617) and are never shown: ``description`` writes `***@` in their place, and that is
/// what logs and metrics labels carry.
public struct PublishTarget: Sendable, Hashable, CustomStringConvertible {
    /// The transport that carries the states: the `publish:` key that named the URL.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// nchan's publisher location: the event's data as the body, its name in a header.
        case nchan
        /// A plain webhook: the event as one JSON object.
        case webhook
    }

    public let kind: Kind
    public let host: String
    public let port: Int
    /// The path and query with `{stream}` still in them.
    public let pathTemplate: String
    /// `Basic …` (RFC 7617) when the URL holds `user:password@`; never logged.
    public let authorization: String?

    public static let placeholder = "{stream}"

    /// Parses the URL; the error text says what is wrong without quoting credentials.
    public init(parsing text: String, kind: Kind = .nchan) throws(ValueError) {
        guard text.hasPrefix("http://") else {
            if text.hasPrefix("https://") {
                throw ValueError("https is not supported for publishing; keep the publisher location on loopback or a private network and use http://")
            }
            throw ValueError("expected an http:// URL, like http://127.0.0.1:8081/pub/{stream}")
        }
        if let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "#" }) {
            throw ValueError("a URL may not contain \(bad == "#" ? "a fragment ('#')" : "spaces or control characters (U+\(String(bad.value, radix: 16, uppercase: true)))")")
        }
        let rest = text.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        let path = rest[slash...]
        guard path.hasPrefix("/") else {
            throw ValueError("the URL needs a path after the host, like http://127.0.0.1:8081/pub/{stream}")
        }
        var authorization: String?
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            authorization = "Basic " + Base64.encode(Array(Self.percentDecoded(userinfo).utf8))
        }
        let parsed = try URLAuthority(parsing: authority)
        self.kind = kind
        self.host = parsed.host
        self.port = parsed.port ?? 80
        self.pathTemplate = String(path)
        self.authorization = authorization
    }

    /// Whether the URL names each stream's own channel.
    public var hasPlaceholder: Bool { pathTemplate.contains(Self.placeholder) }

    /// The request target for a stream: its path without the leading slash in place of `{stream}`.
    /// Stream paths are already written percent-encoded where they need it (`StreamPathRule`).
    public func target(forStream path: String) -> String {
        pathTemplate.replacingPlaceholder(with: String(path.dropFirst(path.hasPrefix("/") ? 1 : 0)))
    }

    /// The `Host` field: the host as written (an IPv6 address in brackets) and the port.
    public var hostField: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? shown : "\(shown):\(port)"
    }

    /// The URL with any credentials replaced by `***`: safe for logs and metric labels.
    public var description: String {
        "http://\(authorization == nil ? "" : "***@")\(hostField)\(pathTemplate)"
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func replacingPlaceholder(with value: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: PublishTarget.placeholder) {
            result += rest[..<range.lowerBound]
            result += value
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

/// RFC 4648 §4 base64, for the one header that needs it (HTTP Basic credentials).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for slot in 0..<4 {
                out.append(slot <= count ? alphabet[Int((group >> UInt32(18 - 6 * slot)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

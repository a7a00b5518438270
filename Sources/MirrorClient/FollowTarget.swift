public import MirrorDocument

/// The URL `sse-mirror follow` reads: an absolute `http://` or `https://` URL (RFC 3986 §3), taken
/// apart into what the connection needs: where to connect, the `Host` field and the request target.
///
/// The path and query are sent as written (RFC 9112 §3.2.1, origin form), so a stream path that
/// mirror.yaml percent-encodes is written percent-encoded here too, and `?access_token=` or
/// `?lastEventId=` pass through untouched. A fragment (`#…`) is not sent, as no client sends one.
/// Credentials in the URL (`user:pass@`) are refused: tokens go in `--token`, which is never printed.
public struct FollowTarget: Sendable, Equatable {
    public let isTLS: Bool
    /// The host to connect to: a name, or an IP address without brackets.
    public let host: String
    public let port: Int
    /// The `Host` field (RFC 9110 §7.2): the URL's authority, its port included when it names one.
    public let hostField: String
    /// The path and query, `/` when the URL has no path.
    public let requestTarget: String
    /// Whether ``host`` is an IP address (TLS then sends no server name, RFC 6066 §3).
    public let hostIsAddress: Bool

    public init(parsing text: String) throws(ValueError) {
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("http://") {
            isTLS = false
            rest = text.dropFirst(7)
        } else if lowered.hasPrefix("https://") {
            isTLS = true
            rest = text.dropFirst(8)
        } else {
            throw ValueError("'\(text)' is not an http:// or https:// URL")
        }
        if let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            throw ValueError("the URL holds \(bad.value == 0x20 ? "a space" : bad.isASCII ? "a control character" : "a character that is not ASCII"); percent-encode it")
        }
        let withoutFragment = rest.prefix { $0 != "#" }
        let authorityEnd = withoutFragment.firstIndex { $0 == "/" || $0 == "?" } ?? withoutFragment.endIndex
        let authority = withoutFragment[..<authorityEnd]
        let target = withoutFragment[authorityEnd...]
        requestTarget = target.hasPrefix("/") ? String(target) : "/" + target
        guard !authority.contains("@") else {
            throw ValueError("the URL holds credentials ('user@'); give a bearer token with --token instead")
        }
        let parsed = try URLAuthority(parsing: authority)
        host = parsed.host
        port = parsed.port ?? (isTLS ? 443 : 80)
        hostIsAddress = parsed.hostIsAddress
        hostField = String(authority).lowercased()
    }
}

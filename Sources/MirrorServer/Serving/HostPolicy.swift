public import NIOCore

/// Which `Host` a request may name: a defence against DNS rebinding.
///
/// A page on a domain its owner re-points at 127.0.0.1 is same-origin with that domain, so its
/// scripts could read a stream on localhost; but the browser still sends the domain in `Host`.
/// Accepting only the names this server is really reached by closes that door: the loopback
/// names, the listen address, the address the connection arrived at (an IP literal cannot be
/// rebound), and the names `hosts:` adds (a proxy's public name). Any port is accepted, since an
/// SSH tunnel or a proxy may forward another one.
public struct HostPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        case allowed
        /// RFC 9112 §3.2: no `Host` in HTTP/1.1, more than one, or one that is not a host.
        case badRequest(String)
        /// A well-formed host this server does not answer to.
        case forbidden(host: String)
    }

    private let names: Set<String>

    /// - Parameters:
    ///   - listenHost: the `listen` host, as configured.
    ///   - extra: the `hosts:` entries.
    public init(listenHost: String, extra: [String]) {
        var names: Set<String> = ["localhost", "127.0.0.1", "::1"]
        for name in [listenHost] + extra {
            if let host = Self.normalize(host: Substring(name)) { names.insert(host) }
        }
        self.names = names
    }

    /// The decision for one request.
    /// - Parameters:
    ///   - hostFields: every `Host` field value the request carries.
    ///   - target: the parsed request target; an absolute-form authority overrides `Host` (§3.2.2).
    ///   - http11: HTTP/1.1 or later, where `Host` is required.
    ///   - localAddress: the address the connection arrived at.
    public func decide(hostFields: [String], target: RequestTarget, http11: Bool, localAddress: SocketAddress?) -> Decision {
        if hostFields.count > 1 { return .badRequest("more than one Host header field") }
        if http11 && hostFields.isEmpty { return .badRequest("an HTTP/1.1 request needs a Host header field") }
        guard let authority = target.authority ?? hostFields.first else {
            // HTTP/1.0 without Host: no browser sends that, so it cannot come from a rebound page.
            return .allowed
        }
        guard let host = Self.host(ofAuthority: authority) else {
            return .badRequest("the Host header field is not a host[:port]")
        }
        if names.contains(host) || host == localAddress?.ipAddress.flatMap({ Self.normalize(host: Substring($0)) }) {
            return .allowed
        }
        return .forbidden(host: host)
    }

    /// `host[:port]` or `[v6]:port` → the host, lowercased, brackets and a trailing dot removed.
    static func host(ofAuthority authority: String) -> String? {
        var text = Substring(authority)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let after = text[text.index(after: close)...]
            guard after.isEmpty || (after.hasPrefix(":") && after.dropFirst().allSatisfy(\.isASCIIDigit)) else { return nil }
            text = text[...close]
        } else if let colon = text.firstIndex(of: ":") {
            guard text[text.index(after: colon)...].allSatisfy(\.isASCIIDigit) else { return nil }
            text = text[..<colon]
        }
        return normalize(host: text)
    }

    /// A host name or IP literal in the form it is compared in; nil when it cannot be one.
    static func normalize(host: Substring) -> String? {
        var text = host
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty, text.utf8.count <= 253,
            text.unicodeScalars.allSatisfy({ $0.isASCII && (Self.allowed.contains($0)) })
        else { return nil }
        return text.lowercased()
    }

    /// Letters, digits, `-`, `.` for names and IPv4; `:` for IPv6 literals.
    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:".unicodeScalars)
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

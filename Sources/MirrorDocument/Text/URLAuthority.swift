/// The host and port of an http(s) URL's authority once any userinfo is gone (RFC 3986 §3.2.2,
/// §3.2.3): `host`, `host:port` or `[IPv6]:port`. Shared by the URLs sse-mirror connects to
/// (``FollowTarget``, ``PublishTarget``); `listen:` has a grammar of its own (``ListenAddress``:
/// the port is required, may be 0, and an IPv6 zone is allowed).
package struct URLAuthority: Equatable {
    /// A name or an IP address, without brackets, lowercased.
    package let host: String
    /// The port the URL names, if any.
    package let port: Int?
    /// Whether ``host`` is an IP address rather than a name.
    package let hostIsAddress: Bool

    package init(parsing authority: Substring) throws(ValueError) {
        let hostText: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ValueError("the URL's IPv6 address has no closing ']'") }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw ValueError("'\(after)' after the URL's IPv6 address is not a port") }
            portText = after.isEmpty ? nil : after.dropFirst()
            hostIsAddress = true
        } else {
            let colon = authority.lastIndex(of: ":")
            hostText = authority[..<(colon ?? authority.endIndex)]
            portText = colon.map { authority[authority.index(after: $0)...] }
            // A name whose last label is all digits is an IPv4 address or nothing (``HostText``).
            hostIsAddress = hostText.last.map { $0.isASCII && $0.isNumber } ?? false
        }
        guard !hostText.isEmpty else { throw ValueError("the URL has no host") }
        try HostText.check(hostText, allowZone: false)
        host = hostText.lowercased()
        guard let portText else {
            port = nil
            return
        }
        guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let number = Int(portText), (1...65535).contains(number)
        else {
            throw ValueError("the URL's port must be a number from 1 to 65535, not '\(portText)'")
        }
        port = number
    }
}

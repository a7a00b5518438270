import Glibc

/// What a host may be where a config names one: `listen:` (and `--listen`), and `hosts:`.
///
/// Only what can never work is refused, so that `check` does not pass a config `serve` cannot
/// bind; a name that needs DNS is fine, it is resolved when the server starts. A host is:
/// - an IPv6 address (RFC 4291 §2.2), checked with `inet_pton(AF_INET6)`;
/// - an IPv4 address in any form `getaddrinfo(3)` reads numerically through `inet_aton(3)`, which
///   includes `0` and `127.1` as well as the dotted quad; a name whose last label is all digits is one
///   of these or nothing, as RFC 1123 §2.1 says no host name looks like a number;
/// - a host name per RFC 1123 §2.1 (RFC 952 as relaxed there): labels of letters, digits and
///   hyphens, not starting or ending with a hyphen, at most 63 bytes each and 253 in all, an optional
///   final dot. Underscores are refused, as the RFC does.
package enum HostText {
    /// Checks a host written without brackets; `allowZone` admits an IPv6 zone (`fe80::1%eth0`), which
    /// `bind` takes but a `Host` header cannot carry.
    package static func check(_ host: Substring, allowZone: Bool) throws(ValueError) {
        guard !host.isEmpty else { throw ValueError("the host is empty") }
        if host.contains(":") {
            try checkIPv6(host, allowZone: allowZone)
            return
        }
        let name = host.hasSuffix(".") ? host.dropLast() : host
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if let bad = host.unicodeScalars.first(where: { !isNameCharacter($0) }) {
            throw ValueError("'\(host)' is not a host name: \(describe(bad)) is not allowed (letters, digits, '-' and '.')")
        }
        if let last = labels.last, !last.isEmpty, last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var address = in_addr()
            guard inet_aton(String(host), &address) != 0 else {
                throw ValueError("'\(host)' is not an IPv4 address; write four numbers from 0 to 255, like 127.0.0.1")
            }
            return
        }
        guard name.utf8.count <= 253 else { throw ValueError("a host name is at most 253 characters; this one has \(name.utf8.count)") }
        for label in labels {
            guard !label.isEmpty else { throw ValueError("'\(host)' is not a host name: it has an empty label ('..' or a leading '.')") }
            guard label.utf8.count <= 63 else { throw ValueError("'\(host)' is not a host name: a label is at most 63 characters") }
            guard !label.hasPrefix("-"), !label.hasSuffix("-") else {
                throw ValueError("'\(host)' is not a host name: a label may not start or end with '-'")
            }
        }
    }

    /// Checks one `hosts:` entry, a host as a `Host` header names it (RFC 3986 §3.2.2: an IPv6 address
    /// in brackets), and returns it lowercased.
    package static func checkHostHeaderName(_ text: String) throws(ValueError) -> String {
        guard !text.isEmpty else { throw ValueError("a host name may not be empty") }
        if text.contains("://") {
            throw ValueError("'\(text)' has a scheme; list the host name alone, like example.com")
        }
        if text.contains("*") {
            throw ValueError("'\(text)': wildcards are not supported; list each host name")
        }
        if text.contains("/") {
            throw ValueError("'\(text)' has a path; list the host name alone, like example.com")
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ValueError("'\(text)' has no closing ']'") }
            guard text.index(after: close) == text.endIndex else {
                throw ValueError("'\(text)' has a port; list the host alone, like \(text[...close])")
            }
            let address = text[text.index(after: text.startIndex)..<close]
            guard address.contains(":") else { throw ValueError("brackets are for an IPv6 address; write \(address)") }
            try check(address, allowZone: false)
            return text.lowercased()
        }
        if let colon = text.firstIndex(of: ":") {
            if text.lastIndex(of: ":") == colon {
                throw ValueError("'\(text)' has a port; list the host name alone, like \(text[..<colon])")
            }
            throw ValueError("an IPv6 address goes in brackets, quoted: \"[\(text)]\"")
        }
        try check(Substring(text), allowZone: false)
        return text.lowercased()
    }

    private static func checkIPv6(_ host: Substring, allowZone: Bool) throws(ValueError) {
        var address = host
        if let percent = host.firstIndex(of: "%") {
            guard allowZone else { throw ValueError("'\(host)': an IPv6 zone ('%…') is not allowed here") }
            let zone = host[host.index(after: percent)...]
            guard !zone.isEmpty, zone.utf8.count < Int(IF_NAMESIZE),
                  zone.unicodeScalars.allSatisfy({ isNameCharacter($0) || $0 == "_" })
            else {
                throw ValueError("'\(host)' has no valid IPv6 zone after '%', like fe80::1%eth0")
            }
            address = host[..<percent]
        }
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, String(address), &bytes) == 1 else {
            throw ValueError("'\(address)' is not an IPv6 address")
        }
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "-" || scalar == "."
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar == " " { return "a space" }
        if scalar.isASCII && !scalar.properties.isWhitespace && scalar.value >= 0x21 && scalar.value < 0x7F { return "'\(scalar)'" }
        return "U+\(String(scalar.value, radix: 16, uppercase: true))"
    }
}

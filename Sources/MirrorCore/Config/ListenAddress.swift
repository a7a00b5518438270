public import MirrorDocument

/// `HOST:PORT` or `[IPv6]:PORT`, as `listen:` and `--listen` take it.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    /// 0 asks the system for a free port.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[v6]:PORT`; the error text says what was expected.
    ///
    /// The host is checked by ``HostText`` so that `check` refuses what `serve` could never bind.
    public init(parsing text: String) throws(ValueError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ValueError("expected [IPv6]:PORT, like [::1]:8080")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ValueError("expected HOST:PORT, like 127.0.0.1:8080")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") {
                throw ValueError("an IPv6 address goes in brackets: [\(hostPart)]:\(portPart)")
            }
        }
        guard !hostPart.isEmpty else { throw ValueError("the host is missing; expected HOST:PORT, like 127.0.0.1:8080") }
        if text.hasPrefix("["), !hostPart.contains(":") {
            throw ValueError("brackets are for an IPv6 address; write \(hostPart):\(portPart)")
        }
        try HostText.check(hostPart, allowZone: true)
        guard portPart.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portPart), (0...65535).contains(port) else {
            throw ValueError("the port must be a number from 0 to 65535, not '\(portPart)'")
        }
        self.host = String(hostPart)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

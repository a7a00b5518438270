import MirrorDocument

/// `limits:` at the top level and `max_clients` on a stream (README.md, "Limits").
extension ConfigDecoder {
    static let limitsKeys = ["client_buffer", "write_timeout", "max_clients", "keepalive"]
    static let keepaliveKeys = ["idle", "interval", "count"]
    static let streamLimitKeys = ["max_clients"]

    /// A client buffer below one event's framing would close every client at its first event.
    static let minimumClientBuffer = 1 << 10
    /// The kernel takes TCP_KEEPIDLE and TCP_KEEPINTVL in whole seconds, at most 32767 (tcp(7)).
    static let maximumKeepaliveSeconds: Int64 = 32767
    /// TCP_KEEPCNT, at most 127 (tcp(7)).
    static let maximumKeepaliveCount = 127

    /// `limits: {client_buffer: 4MiB, write_timeout: 30s, max_clients: 10000, keepalive: {...}}`;
    /// a missing key keeps its default.
    func decodeLimits(_ node: YAMLNode) throws(SchemaError) -> ClientLimits {
        let entries = try mapping(node, what: "limits")
        try rejectUnknown(entries, allowed: Self.limitsKeys, in: "limits")
        var limits = ClientLimits()
        if let entry = entries.first(where: { $0.key == "client_buffer" }) {
            limits.clientBuffer = try value(entry.value, what: "limits.client_buffer") { value throws(ValueError) in
                try SizeText.parse(value, minimum: Self.minimumClientBuffer, maximum: 1 << 30)
            }
        }
        if let entry = entries.first(where: { $0.key == "write_timeout" }) {
            let timeout = try value(entry.value, what: "limits.write_timeout") { value throws(ValueError) in
                try DurationText.parse(value, maximum: .seconds(24 * 3600))
            }
            limits.writeTimeout = timeout == .zero ? nil : timeout
        }
        if let entry = entries.first(where: { $0.key == "max_clients" }) {
            limits.maxClients = try maxClients(entry.value, what: "limits.max_clients")
        }
        if let entry = entries.first(where: { $0.key == "keepalive" }) {
            limits.keepalive = try keepalive(entry.value)
        }
        return limits
    }

    /// A stream's own `max_clients`, within the global one.
    func decodeStreamLimits(_ entries: [YAMLMappingEntry], into config: inout StreamConfig) throws(SchemaError) {
        if let entry = entries.first(where: { $0.key == "max_clients" }) {
            config.maxClients = try maxClients(entry.value, what: "max_clients")
        }
    }

    private func maxClients(_ node: YAMLNode, what: String) throws(SchemaError) -> Int {
        try value(node, what: what) { value throws(ValueError) in
            guard case .int(let count) = value, count >= 1, count <= 10_000_000 else {
                throw ValueError("expected a whole number of clients from 1 to 10000000, got \(value.summary)")
            }
            return count
        }
    }

    /// `keepalive: {idle: 30s, interval: 10s, count: 3}`, in whole seconds as the kernel takes them.
    private func keepalive(_ node: YAMLNode) throws(SchemaError) -> TCPKeepalive {
        let entries = try mapping(node, what: "limits.keepalive")
        try rejectUnknown(entries, allowed: Self.keepaliveKeys, in: "limits.keepalive")
        var keepalive = TCPKeepalive()
        for (key, keyPath) in [("idle", \TCPKeepalive.idle), ("interval", \TCPKeepalive.interval)] {
            guard let entry = entries.first(where: { $0.key == key }) else { continue }
            keepalive[keyPath: keyPath] = try value(entry.value, what: "limits.keepalive.\(key)") { value throws(ValueError) in
                let duration = try DurationText.parse(value, maximum: .seconds(Self.maximumKeepaliveSeconds))
                guard duration >= .seconds(1), duration.components.attoseconds == 0 else {
                    throw ValueError("must be whole seconds, at least 1s (the kernel counts keepalive in seconds)")
                }
                return duration
            }
        }
        if let entry = entries.first(where: { $0.key == "count" }) {
            keepalive.count = try value(entry.value, what: "limits.keepalive.count") { value throws(ValueError) in
                guard case .int(let count) = value, count >= 1, count <= Self.maximumKeepaliveCount else {
                    throw ValueError("expected a whole number of probes from 1 to \(Self.maximumKeepaliveCount), got \(value.summary)")
                }
                return count
            }
        }
        return keepalive
    }
}

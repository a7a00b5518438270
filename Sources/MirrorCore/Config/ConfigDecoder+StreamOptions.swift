import MirrorDocument

/// The per-stream keys that shape what a stream publishes: `emit`, `max_size`, `array_key`,
/// `patch_ratio` and `history` (PROTOCOL.md describes their effect on the wire).
extension ConfigDecoder {
    /// A stream with more history than this is more likely a typo than a wish; the bytes bound applies as well.
    static let maximumHistoryEvents = 1_000_000
    static let historyKeys = ["events", "bytes"]
    static let streamOptionKeys = ["emit", "max_size", "array_key", "patch_ratio", "history"]

    func decodeStreamOptions(_ entries: [YAMLMappingEntry], into config: inout StreamConfig) throws(SchemaError) {
        if let entry = entries.first(where: { $0.key == "emit" }) {
            config.emit = try choice(entry.value, what: "emit")
        }
        if let entry = entries.first(where: { $0.key == "max_size" }) {
            config.maxSize = try value(entry.value, what: "max_size") { value throws(ValueError) in
                try SizeText.parse(value, minimum: 1)
            }
        }
        if let entry = entries.first(where: { $0.key == "array_key" }) {
            let key = try string(entry.value, what: "array_key")
            guard !key.isEmpty else {
                throw SchemaError(mark: entry.value.mark, message: "array_key: the member name may not be empty")
            }
            config.arrayKey = key
        }
        if let entry = entries.first(where: { $0.key == "patch_ratio" }) {
            config.patchRatio = try value(entry.value, what: "patch_ratio") { value throws(ValueError) in
                let ratio: Double
                switch value {
                case .int(let number): ratio = Double(number)
                case .float(let number): ratio = number
                default: throw ValueError("expected a number like 1.0, got \(value.summary)")
                }
                guard ratio > 0, ratio.isFinite else {
                    throw ValueError("must be a number greater than 0 (1.0 sends a patch only when it is smaller than the document)")
                }
                return ratio
            }
        }
        if let entry = entries.first(where: { $0.key == "history" }) {
            config.history = try history(entry.value)
        }
    }

    /// `history: {events: 256, bytes: 4MiB}`; a missing key keeps its default.
    private func history(_ node: YAMLNode) throws(SchemaError) -> HistoryLimits {
        let entries = try mapping(node, what: "history")
        try rejectUnknown(entries, allowed: Self.historyKeys, in: "history")
        var limits = HistoryLimits()
        if let entry = entries.first(where: { $0.key == "events" }) {
            limits.events = try value(entry.value, what: "history.events") { value throws(ValueError) in
                guard case .int(let events) = value else {
                    throw ValueError("expected a whole number of events, got \(value.summary)")
                }
                guard events >= 1, events <= Self.maximumHistoryEvents else {
                    throw ValueError("must be from 1 to \(Self.maximumHistoryEvents)")
                }
                return events
            }
        }
        if let entry = entries.first(where: { $0.key == "bytes" }) {
            limits.bytes = try value(entry.value, what: "history.bytes") { value throws(ValueError) in
                try SizeText.parse(value)
            }
        }
        return limits
    }
}

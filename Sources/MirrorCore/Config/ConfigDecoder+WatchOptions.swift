import MirrorDocument

/// `watch_mode` and `poll_interval`: how a file or line stream learns of changes. Both may be set
/// at the top level, as every stream's default, and per stream.
extension ConfigDecoder {
    static let watchKeys = ["watch_mode", "poll_interval"]

    /// The policy `entries` set over `defaults`; a missing key keeps the default.
    func watchPolicy(_ entries: [YAMLMappingEntry], defaults: WatchPolicy) throws(SchemaError) -> WatchPolicy {
        var policy = defaults
        if let entry = entries.first(where: { $0.key == "watch_mode" }) {
            policy.mode = try choice(entry.value, what: "watch_mode")
        }
        if let entry = entries.first(where: { $0.key == "poll_interval" }) {
            policy.pollInterval = try value(entry.value, what: "poll_interval") { value throws(ValueError) in
                let interval = try DurationText.parse(value, maximum: WatchPolicy.maximumPollInterval)
                guard interval >= WatchPolicy.minimumPollInterval else {
                    throw ValueError("must be at least \(DurationText.describe(WatchPolicy.minimumPollInterval))")
                }
                return interval
            }
        }
        return policy
    }

    /// A stream's own keys; a tree is always watched by inotify (polling a whole tree is a
    /// listing of every folder per tick), so there they are an error rather than ignored.
    func decodeWatchOptions(_ entries: [YAMLMappingEntry], defaults: WatchPolicy, into config: inout StreamConfig) throws(SchemaError) {
        if config.source == .tree, let entry = entries.first(where: { Self.watchKeys.contains($0.key) }) {
            throw SchemaError(mark: entry.keyMark, message: "\(entry.key): only for a file or a line stream; a folder is always watched by inotify")
        }
        config.watching = try watchPolicy(entries, defaults: defaults)
    }
}

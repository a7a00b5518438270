import MirrorDocument

/// The keys of a directory stream (a `watch` naming a folder or a glob).
extension ConfigDecoder {
    static let treeKeys: [String] = ["ignore", "hash", "max_files"]

    /// `ignore`, `hash` and `max_files`, refused on other kinds of stream. A tree's `emit` defaults
    /// to `patch`: a 10,000-file manifest resent whole on every change would be absurd.
    func decodeTreeOptions(_ entries: [YAMLMappingEntry], into config: inout StreamConfig) throws(SchemaError) {
        guard config.source == .tree else {
            if let entry = entries.first(where: { Self.treeKeys.contains($0.key) }) {
                throw SchemaError(mark: entry.keyMark, message: "\(entry.key): only a folder or a pattern has this key; end 'watch' with '/' to watch a folder")
            }
            return
        }
        if !entries.contains(where: { $0.key == "emit" }) { config.emit = .patch }
        if let entry = entries.first(where: { $0.key == "ignore" }) {
            guard case .sequence(let items) = entry.value.kind else {
                throw SchemaError(mark: entry.value.mark, message: "ignore: expected a list of globs, like ['*.tmp', 'cache/'], got \(entry.value.summary)")
            }
            for item in items {
                let glob = try string(item, what: "ignore")
                guard !glob.isEmpty, !glob.utf8.contains(0) else {
                    throw SchemaError(mark: item.mark, message: "ignore: a glob may not be empty or contain NUL")
                }
                config.tree.ignore.append(glob)
            }
        }
        if let entry = entries.first(where: { $0.key == "hash" }) {
            config.tree.hash = try value(entry.value, what: "hash") { value throws(ValueError) in
                guard case .bool(let hash) = value else { throw ValueError("expected true or false, got \(value.summary)") }
                return hash
            }
        }
        if let entry = entries.first(where: { $0.key == "max_files" }) {
            config.tree.maxFiles = try value(entry.value, what: "max_files") { value throws(ValueError) in
                guard case .int(let count) = value, count >= 1 else {
                    throw ValueError("expected a whole number of files, at least 1, got \(value.summary)")
                }
                return count
            }
        }
    }
}

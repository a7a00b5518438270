import MirrorDocument

/// The keys of a line stream (`format: lines`), which follows a growing log as `tail -F` does.
extension ConfigDecoder {
    static let lineKeys = ["tail", "grep", "exclude", "parse", "max_line"]

    func decodeLineOptions(_ entries: [YAMLMappingEntry], into config: inout StreamConfig) throws(SchemaError) {
        for entry in entries where Self.lineKeys.contains(entry.key) && config.source != .lines {
            throw SchemaError(mark: entry.keyMark, message: "\(entry.key): only for format: lines")
        }
        if let entry = entries.first(where: { $0.key == "tail" }) {
            config.lines.tail = try value(entry.value, what: "tail") { value throws(ValueError) in
                guard case .int(let count) = value else {
                    throw ValueError("expected a whole number of lines, got \(value.summary)")
                }
                guard count >= 0, count <= LineOptions.maximumTail else {
                    throw ValueError("must be from 0 to \(LineOptions.maximumTail)")
                }
                return count
            }
        }
        if let entry = entries.first(where: { $0.key == "grep" }) {
            config.lines.grep = try patterns(entry.value, what: "grep")
        }
        if let entry = entries.first(where: { $0.key == "exclude" }) {
            config.lines.exclude = try patterns(entry.value, what: "exclude")
        }
        if let entry = entries.first(where: { $0.key == "parse" }) {
            let text = try string(entry.value, what: "parse")
            guard text == "json" else {
                throw SchemaError(mark: entry.value.mark, message: "parse: unknown value '\(text)' (allowed: json)")
            }
            config.lines.parseJSON = true
        }
        if let entry = entries.first(where: { $0.key == "max_line" }) {
            config.lines.maxLine = try value(entry.value, what: "max_line") { value throws(ValueError) in
                let size = try SizeText.parse(value, minimum: 1)
                guard size <= LineOptions.maximumMaxLine else {
                    throw ValueError("must be at most \(LineOptions.maximumMaxLine) bytes (16MiB)")
                }
                return size
            }
        }
        // Rules work on JSON values: a plain line is a string they cannot see into, and passing it
        // through untouched would publish what a `redact` was written to hold back.
        if config.source == .lines, !config.lines.parseJSON, let entry = entries.first(where: { $0.key == "transform" }) {
            throw SchemaError(mark: entry.keyMark, message: "transform: a line stream applies rules to lines parsed as JSON; add 'parse: json'")
        }
    }

    /// One POSIX extended regular expression or a list of them, each compiled here so a bad one
    /// is a config error at its own line and column.
    private func patterns(_ node: YAMLNode, what: String) throws(SchemaError) -> [LinePattern] {
        let items: [YAMLNode]
        if case .sequence(let list) = node.kind { items = list } else { items = [node] }
        var patterns: [LinePattern] = []
        for item in items {
            let text = try string(item, what: what)
            do {
                patterns.append(try LinePattern(text))
            } catch {
                throw SchemaError(mark: item.mark, message: "\(what): not a POSIX extended regular expression: \(error.message)")
            }
        }
        return patterns
    }
}

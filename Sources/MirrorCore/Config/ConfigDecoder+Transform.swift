import MirrorDocument

/// A stream's `transform:` list (PROTOCOL.md, "Transforms"): every rule and pattern is checked
/// here, so a bad pointer or pattern stops the config at its line and column instead of making
/// every version of the document `invalid`.
extension ConfigDecoder {
    func decodeTransform(_ entries: [YAMLMappingEntry], into config: inout StreamConfig) throws(SchemaError) {
        guard let entry = entries.first(where: { $0.key == "transform" }) else { return }
        guard case .sequence(let items) = entry.value.kind else {
            throw SchemaError(
                mark: entry.value.mark,
                message: "transform: expected a list of rules, like [{redact: [/db/password]}], got \(entry.value.summary)"
            )
        }
        var rules: [TransformRule] = []
        for item in items {
            rules.append(try transformRule(item))
        }
        config.transform = Transform(rules)
    }

    /// One list item: a mapping with exactly one rule name.
    private func transformRule(_ node: YAMLNode) throws(SchemaError) -> TransformRule {
        let names = TransformRule.names.joined(separator: ", ")
        guard case .mapping(let entries) = node.kind, let rule = entries.first else {
            throw SchemaError(
                mark: node.mark,
                message: "transform: a rule is one of \(names) with its value, like 'pick: [name]', got \(node.summary)"
            )
        }
        for entry in entries where TransformRule.Name(rawValue: entry.key) == nil {
            throw SchemaError(mark: entry.keyMark, message: "transform: unknown rule '\(entry.key)' (allowed: \(names))")
        }
        guard let name = TransformRule.Name(rawValue: rule.key) else { preconditionFailure("checked above") }
        if entries.count > 1 {
            let second = entries[1].key
            throw SchemaError(
                mark: entries[1].keyMark,
                message: "transform: one rule per list item; write '\(second)' as an item of its own ('- \(second): …')"
            )
        }
        let what = "transform.\(rule.key)"
        switch name {
        case .select:
            let text = try string(rule.value, what: what)
            guard text.utf8.first == UInt8(ascii: "/") else {
                throw SchemaError(mark: rule.value.mark, message: "\(what): a JSON pointer starts with '/', like /features")
            }
            do {
                return .select(try JSONPointer(text))
            } catch {
                throw SchemaError(mark: rule.value.mark, message: "\(what): \(error.message)")
            }
        case .pick:
            return .pick(try list(rule.value, what: what, example: "[name, flags]") { _, text in text })
        case .omit:
            return .omit(try patterns(rule.value, what: what))
        case .redact:
            return .redact(try patterns(rule.value, what: what))
        }
    }

    private func patterns(_ node: YAMLNode, what: String) throws(SchemaError) -> [PathPattern] {
        try list(node, what: what, example: "[/db/password, \"**.token\"]") { item, text throws(SchemaError) in
            do throws(PathPatternError) {
                return try PathPattern(text)
            } catch {
                throw SchemaError(mark: item.mark, message: "\(what): \(error.message)")
            }
        }
    }

    /// A non-empty list of strings, each turned into `T`.
    private func list<T>(
        _ node: YAMLNode,
        what: String,
        example: String,
        _ make: (YAMLNode, String) throws(SchemaError) -> T
    ) throws(SchemaError) -> [T] {
        guard case .sequence(let items) = node.kind else {
            throw SchemaError(mark: node.mark, message: "\(what): expected a list, like \(example), got \(node.summary)")
        }
        guard !items.isEmpty else {
            throw SchemaError(mark: node.mark, message: "\(what): the list may not be empty")
        }
        var values: [T] = []
        for item in items {
            values.append(try make(item, try string(item, what: what)))
        }
        return values
    }
}

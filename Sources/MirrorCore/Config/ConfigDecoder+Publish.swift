import MirrorDocument

/// `publish:` at the top level and on a stream (README.md, "Scaling out").
extension ConfigDecoder {
    static let publishKeys = ["nchan"]
    static let streamPublishKeys = ["publish"]

    /// The global `publish: {nchan: URL}`. Its URL must hold `{stream}`, or every stream would
    /// post into one channel and their documents would overwrite each other there.
    func decodePublish(_ node: YAMLNode, into publish: inout PublishConfig) throws(SchemaError) {
        guard let (target, mark) = try publishTarget(node) else { return }
        guard target.hasPlaceholder else {
            throw SchemaError(mark: mark, message: "publish.nchan: the global URL needs '{stream}' so that each stream has a channel of its own, like http://127.0.0.1:8081/pub/{stream}")
        }
        publish.global = target
    }

    /// A stream's own `publish:`: a target that replaces the global one, or `null` / `{}` to
    /// publish nothing.
    func decodeStreamPublish(_ entries: [YAMLMappingEntry], path: String, into publish: inout PublishConfig) throws(SchemaError) {
        guard let entry = entries.first(where: { $0.key == "publish" }) else { return }
        if let (target, _) = try publishTarget(entry.value) {
            publish.streamTargets[path] = target
        } else {
            publish.optedOut.insert(path)
        }
    }

    /// The target a `publish:` value names, with the mark of its URL; nil for `null` or `{}`.
    private func publishTarget(_ node: YAMLNode) throws(SchemaError) -> (PublishTarget, SourceMark)? {
        if case .scalar(let scalar) = node.kind, scalar.resolved == .null { return nil }
        let entries = try mapping(node, what: "publish")
        try rejectUnknown(entries, allowed: Self.publishKeys, in: "publish")
        guard let entry = entries.first(where: { $0.key == "nchan" }) else { return nil }
        let text = try string(entry.value, what: "publish.nchan")
        do {
            return (try PublishTarget(parsing: text), entry.value.mark)
        } catch {
            throw SchemaError(mark: entry.value.mark, message: "publish.nchan: \(error.message)")
        }
    }
}

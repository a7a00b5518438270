import MirrorDocument

/// `publish:` at the top level and on a stream (README.md, "Scaling out").
extension ConfigDecoder {
    /// One key per transport (``PublishTarget/Kind``), of which a `publish:` names one.
    static let publishKeys = PublishTarget.Kind.allCases.map(\.rawValue)
    static let streamPublishKeys = ["publish"]

    /// The global `publish: {nchan: URL}` or `{webhook: URL}`. An nchan URL must hold `{stream}`,
    /// or every stream would post into one channel and their documents would overwrite each
    /// other there; a webhook's body names its stream, so one URL may take them all.
    func decodePublish(_ node: YAMLNode, into publish: inout PublishConfig) throws(SchemaError) {
        guard let (target, mark) = try publishTarget(node) else { return }
        guard target.hasPlaceholder || target.kind != .nchan else {
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
        guard let entry = entries.first else { return nil }
        if entries.count > 1 {
            throw SchemaError(mark: entries[1].keyMark, message: "publish: name one target (\(Self.publishKeys.joined(separator: " or "))), not several")
        }
        let kind = PublishTarget.Kind(rawValue: entry.key) ?? .nchan
        let text = try string(entry.value, what: "publish.\(entry.key)")
        do {
            return (try PublishTarget(parsing: text, kind: kind), entry.value.mark)
        } catch {
            throw SchemaError(mark: entry.value.mark, message: "publish.\(entry.key): \(error.message)")
        }
    }
}

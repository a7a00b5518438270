internal import CYAML

/// Builds a config's ``YAMLNode`` tree from libyaml's event stream (``YAMLTreeWalker``), with tags
/// a config understands and a bound on the nodes aliases can expand to.
public enum YAMLParser {
    /// Aliases can make a small text expand to a huge tree ("billion laughs"); a config never needs this many.
    static let maximumNodes = 100_000
    /// How deeply collections may nest, aliases included. A config needs three levels (the file, `streams:`,
    /// a stream); without a bound, `[` × 70,000 keeps libyaml busy for seconds (its simple-key check walks
    /// every open level for each token) and a tree that deep overflows the stack when it is freed.
    /// The JSON side bounds documents at 512 for the same reasons.
    static let maximumDepth = 64

    public static func parse(_ text: [UInt8]) throws(YAMLError) -> YAMLNode? {
        var walker = YAMLTreeWalker<ConfigTree>()
        // libyaml reads from the buffer for as long as the parser lives, so both live in this closure.
        return try text.withUnsafeBufferPointer { buffer throws(YAMLError) in
            try walker.run(LibYAMLParser(buffer, describesBadBytes: true))
        }
    }
}

/// A config's tree: nodes keep their marks, scalars stay as written until a field reads them, and
/// any scalar may be a key (compared by its resolved text, so `"path"` and `path` are one key).
private enum ConfigTree: YAMLTreeRules {
    static var maximumDepth: Int { YAMLParser.maximumDepth }

    /// An untagged scalar always resolves; a tagged one must fit its tag, or the tag would be lost.
    static func node(_ scalar: YAMLScalar, mark: SourceMark) throws(YAMLError) -> YAMLNode {
        if scalar.tag != nil {
            do {
                _ = try scalar.resolve()
            } catch {
                throw YAMLError(mark: mark, message: error.message)
            }
        }
        return YAMLNode(kind: .scalar(scalar), mark: mark)
    }

    static func key(_ node: YAMLNode, mark: SourceMark, viaAlias: Bool) throws(YAMLError) -> String {
        guard case .scalar(let scalar) = node.kind else { throw collectionKey(isMapping: true, mark: mark) }
        return scalar.resolved.keyText ?? scalar.text
    }

    static func mapping(keys: [(text: String, mark: SourceMark)], values: [YAMLNode], mark: SourceMark) -> YAMLNode {
        YAMLNode(kind: .mapping(zip(keys, values).map { YAMLMappingEntry(key: $0.text, keyMark: $0.mark, value: $1) }), mark: mark)
    }

    static func sequence(_ items: [YAMLNode], mark: SourceMark) -> YAMLNode { YAMLNode(kind: .sequence(items), mark: mark) }

    /// An alias is reported where it is written.
    static func aliased(_ node: YAMLNode, mark: SourceMark) -> YAMLNode {
        var node = node
        node.mark = mark
        return node
    }

    static func checkSize(nodes: Int, aliasNodes: Int, mark: SourceMark) throws(YAMLError) {
        guard nodes > YAMLParser.maximumNodes else { return }
        throw YAMLError(mark: mark, message: "the document expands to more than \(YAMLParser.maximumNodes) nodes")
    }

    /// A collection may be tagged `!`, or `!!map` / `!!seq` as it is; any other tag would be ignored, so it is refused.
    static func checkCollectionTag(_ tag: String?, isMapping: Bool, mark: SourceMark) throws(YAMLError) {
        guard let tag, tag != YAMLTag.nonSpecific, tag != (isMapping ? YAMLTag.map : YAMLTag.seq) else { return }
        throw YAMLError(
            mark: mark,
            message: "unsupported tag \(YAMLTag.written(tag)) on a \(isMapping ? "mapping" : "sequence"); a config uses untagged lists and mappings"
        )
    }

    static func secondDocument(_ mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "a config file holds one YAML document; found a second one")
    }

    static func collectionKey(isMapping: Bool, mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "a mapping key must be a scalar")
    }

    static func duplicateKey(_ key: String, first: SourceMark, mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "duplicate key '\(key)' (first at line \(first.line), column \(first.column))")
    }

    static func unknownAlias(_ name: String, mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "unknown alias '*\(name)'")
    }

    static func tooDeep(_ mark: SourceMark) -> YAMLError {
        YAMLError(
            mark: mark,
            message: "lists and mappings nest more than \(YAMLParser.maximumDepth) levels deep; a config needs only a few"
        )
    }
}

extension YAMLValue {
    /// The text two keys are compared by, so that `"path"` and `path` count as the same key.
    fileprivate var keyText: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

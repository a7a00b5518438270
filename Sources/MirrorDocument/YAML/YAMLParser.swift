internal import CYAML

/// Builds a ``YAMLNode`` tree from libyaml's event stream.
///
/// libyaml checks the syntax; this type adds what it leaves out: duplicate mapping keys
/// (YAML 1.2.2 §3.2.1.1 requires keys to be unique; libyaml accepts them), a single document,
/// scalar keys only, tags a config understands, and bounds on the nodes that aliases can expand
/// to and on how deeply collections nest.
public enum YAMLParser {
    /// Aliases can make a small text expand to a huge tree ("billion laughs"); a config never needs this many.
    static let maximumNodes = 100_000
    /// How deeply collections may nest, aliases included. A config needs three levels (the file, `streams:`,
    /// a stream); without a bound, `[` × 70,000 keeps libyaml busy for seconds (its simple-key check walks
    /// every open level for each token) and a tree that deep overflows the stack when it is freed.
    /// The JSON side bounds documents at 512 for the same reasons.
    static let maximumDepth = 64

    public static func parse(_ text: [UInt8]) throws(YAMLError) -> YAMLNode? {
        var builder = TreeBuilder()
        // libyaml reads from the buffer for as long as the parser lives, so both live in this closure.
        return try text.withUnsafeBufferPointer { buffer throws(YAMLError) in
            try builder.run(LibYAMLParser(buffer, describesBadBytes: true))
        }
    }
}

/// Turns the flat event stream into a tree with an explicit stack (no recursion while building).
///
/// Every collection being built is a frame that collects its children in place, with the size and
/// height of what it holds so far, so an alias costs a dictionary lookup whatever it points to.
private struct TreeBuilder {
    private struct Frame {
        var isMapping: Bool
        var mark: SourceMark
        var anchor: String?
        var items: [YAMLNode] = []
        var entries: [YAMLMappingEntry] = []
        /// The mapping's keys so far, so a duplicate is found without a scan of `entries`; by
        /// Unicode scalars (``ScalarString``), so NFC and NFD spellings are two keys, as in JSON.
        var keys: [ScalarString: SourceMark] = [:]
        var pendingKey: (String, SourceMark)?
        /// Nodes in this collection, itself included.
        var weight = 1
        /// Levels of collections from this one down, itself included.
        var height = 1
    }

    /// A node an anchor names, with the size and height an alias to it adds.
    private struct Anchored {
        var node: YAMLNode
        var weight: Int
        var height: Int
    }

    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var nodeCount = 0
    private var root: YAMLNode?
    private var documents = 0

    mutating func run(_ parser: LibYAMLParser) throws(YAMLError) -> YAMLNode? {
        while true {
            let event = try parser.next()
            switch event.kind {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                return root
            case .documentStart:
                documents += 1
                if documents > 1 {
                    throw YAMLError(mark: event.mark, message: "a config file holds one YAML document; found a second one")
                }
            case .mappingStart, .sequenceStart:
                let isMapping = if case .mappingStart = event.kind { true } else { false }
                try Self.checkCollectionTag(event.tag, isMapping: isMapping, mark: event.mark)
                // Checked as each level opens, before libyaml reads further or the tree grows deeper.
                if stack.count >= YAMLParser.maximumDepth {
                    throw Self.tooDeep(event.mark)
                }
                try count(1, at: event.mark)
                stack.append(Frame(isMapping: isMapping, mark: event.mark, anchor: event.anchor))
            case .mappingEnd, .sequenceEnd:
                let frame = stack.removeLast()
                let kind: YAMLNode.Kind = frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items)
                // Counted when it opened, its children as they came.
                try add(YAMLNode(kind: kind, mark: frame.mark), anchor: frame.anchor, weight: frame.weight, height: frame.height)
            case .scalar(let scalar):
                // An untagged scalar always resolves; a tagged one must fit its tag, or the tag would be lost.
                if scalar.tag != nil {
                    do {
                        _ = try scalar.resolve()
                    } catch {
                        throw YAMLError(mark: event.mark, message: error.message)
                    }
                }
                try count(1, at: event.mark)
                try add(YAMLNode(kind: .scalar(scalar), mark: event.mark), anchor: event.anchor, weight: 1, height: 0)
            case .alias(let name):
                guard let anchored = anchors[name] else {
                    throw YAMLError(mark: event.mark, message: "unknown alias '*\(name)'")
                }
                if stack.count + anchored.height > YAMLParser.maximumDepth {
                    throw Self.tooDeep(event.mark)
                }
                // An alias stands for every node of what it names, so it counts them all again.
                try count(anchored.weight, at: event.mark)
                var node = anchored.node
                node.mark = event.mark
                try add(node, anchor: nil, weight: anchored.weight, height: anchored.height)
            }
        }
    }

    private static func tooDeep(_ mark: SourceMark) -> YAMLError {
        YAMLError(
            mark: mark,
            message: "lists and mappings nest more than \(YAMLParser.maximumDepth) levels deep; a config needs only a few"
        )
    }

    /// A collection may be tagged `!`, or `!!map` / `!!seq` as it is; any other tag would be ignored, so it is refused.
    private static func checkCollectionTag(_ tag: String?, isMapping: Bool, mark: SourceMark) throws(YAMLError) {
        guard let tag, tag != YAMLTag.nonSpecific, tag != (isMapping ? YAMLTag.map : YAMLTag.seq) else { return }
        throw YAMLError(
            mark: mark,
            message: "unsupported tag \(YAMLTag.written(tag)) on a \(isMapping ? "mapping" : "sequence"); a config uses untagged lists and mappings"
        )
    }

    private mutating func count(_ nodes: Int, at mark: SourceMark) throws(YAMLError) {
        nodeCount += nodes
        if nodeCount > YAMLParser.maximumNodes {
            throw YAMLError(mark: mark, message: "the document expands to more than \(YAMLParser.maximumNodes) nodes")
        }
    }

    /// Adds a finished node to the collection being built; `weight` and `height` are what it brings
    /// to the size and depth of that collection (and of an alias to it).
    private mutating func add(_ node: YAMLNode, anchor: String?, weight: Int, height: Int) throws(YAMLError) {
        if let anchor { anchors[anchor] = Anchored(node: node, weight: weight, height: height) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].weight += weight
        stack[top].height = max(stack[top].height, height + 1)
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let (key, keyMark) = stack[top].pendingKey {
            stack[top].entries.append(YAMLMappingEntry(key: key, keyMark: keyMark, value: node))
            stack[top].pendingKey = nil
            return
        }
        guard case .scalar(let scalar) = node.kind else {
            throw YAMLError(mark: node.mark, message: "a mapping key must be a scalar")
        }
        let key = scalar.resolved.keyText ?? scalar.text
        if let first = stack[top].keys[ScalarString(key)] {
            throw YAMLError(
                mark: node.mark,
                message: "duplicate key '\(key)' (first at line \(first.line), column \(first.column))"
            )
        }
        stack[top].keys[ScalarString(key)] = node.mark
        stack[top].pendingKey = (key, node.mark)
    }
}

extension YAMLValue {
    /// The text two keys are compared by, so that `"path"` and `path` count as the same key.
    fileprivate var keyText: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

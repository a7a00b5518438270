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
            try builder.run(LibYAMLParser(buffer))
        }
    }
}

/// Owns a `yaml_parser_t` and frees it on deinit, keeping the C type out of every signature.
private final class LibYAMLParser {
    private var parser = yaml_parser_t()
    private let buffer: UnsafeBufferPointer<UInt8>

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
        yaml_parser_initialize(&parser)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress ?? UnsafePointer(bitPattern: 1), buffer.count)
    }

    deinit {
        yaml_parser_delete(&parser)
    }

    func next() throws(YAMLError) -> ParsedEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else {
            throw syntaxError()
        }
        defer { yaml_event_delete(&event) }
        return ParsedEvent(event)
    }

    private func syntaxError() -> YAMLError {
        var message = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            // The reader (bad UTF-8, control characters) sets only a byte offset, not `problem_mark`.
            // The value is the bad octet for a UTF-8 error, the code point for a control character.
            let isEncoding = message.contains("UTF-8")
            let value = String(parser.problem_value, radix: 16, uppercase: true)
            if parser.problem_value >= 0 {
                message += isEncoding ? " (byte 0x\(value))" : " (U+\(String(repeating: "0", count: max(0, 4 - value.count)) + value))"
            }
            if isEncoding { message += "; a config file is UTF-8 text" }
            return YAMLError(mark: SourceLines(Array(buffer)).mark(ofByteOffset: parser.problem_offset), message: message)
        }
        let mark = SourceMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " \(context)"
            // An unclosed quote or bracket is reported where the text ends; say where it began.
            let start = SourceMark(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
            if start.line != mark.line {
                message += " that starts at line \(start.line), column \(start.column)"
            }
        }
        return YAMLError(mark: mark, message: message)
    }
}

/// A libyaml event copied into Swift values, so the C event can be freed at once.
private struct ParsedEvent {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case mappingStart, mappingEnd, sequenceStart, sequenceEnd
        case scalar(YAMLScalar)
        case alias(String)
    }

    var kind: Kind
    var mark: SourceMark
    var anchor: String?
    /// The explicit tag of a collection (a scalar keeps its own in ``YAMLScalar/tag``).
    var tag: String?

    init(_ event: yaml_event_t) {
        mark = SourceMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        anchor = nil
        tag = nil
        switch event.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart
            anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
            tag = event.data.mapping_start.tag.map { String(cString: $0) }
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart
            anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
            tag = event.data.sequence_start.tag.map { String(cString: $0) }
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let bytes = UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length))
            let style: YAMLScalar.Style
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            kind = .scalar(
                YAMLScalar(
                    text: String(decoding: bytes, as: UTF8.self),
                    style: style,
                    tag: scalar.tag.map { String(cString: $0) }
                )
            )
            anchor = scalar.anchor.map { String(cString: $0) }
        case YAML_ALIAS_EVENT:
            kind = .alias(event.data.alias.anchor.map { String(cString: $0) } ?? "")
        default:
            kind = .streamEnd
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
        /// The mapping's keys so far, so a duplicate is found without a scan of `entries`.
        var keys: [String: SourceMark] = [:]
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
        if let first = stack[top].keys[key] {
            throw YAMLError(
                mark: node.mark,
                message: "duplicate key '\(key)' (first at line \(first.line), column \(first.column))"
            )
        }
        stack[top].keys[key] = node.mark
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

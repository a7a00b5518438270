internal import CYAML

/// Builds a ``YAMLNode`` tree from libyaml's event stream.
///
/// libyaml checks the syntax; this type adds what it leaves out: duplicate mapping keys
/// (YAML 1.2.2 §3.2.1.1 requires keys to be unique; libyaml accepts them), a single document,
/// scalar keys only, and a bound on the nodes that aliases can expand to.
public enum YAMLParser {
    /// Aliases can make a small text expand to a huge tree ("billion laughs"); a config never needs this many.
    static let maximumNodes = 100_000

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

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
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
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message = "\(problem) \(context)"
        }
        let mark = parser.problem_mark
        return YAMLError(mark: SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1), message: message)
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

    init(_ event: yaml_event_t) {
        mark = SourceMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        anchor = nil
        switch event.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart
            anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart
            anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
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

/// Turns the flat event stream into a tree with an explicit stack (no recursion, so deep nesting cannot overflow).
private struct TreeBuilder {
    private enum Frame {
        case mapping(mark: SourceMark, anchor: String?, entries: [YAMLMappingEntry], pendingKey: (String, SourceMark)?)
        case sequence(mark: SourceMark, anchor: String?, items: [YAMLNode])
    }

    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
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
            case .mappingStart:
                stack.append(.mapping(mark: event.mark, anchor: event.anchor, entries: [], pendingKey: nil))
            case .sequenceStart:
                stack.append(.sequence(mark: event.mark, anchor: event.anchor, items: []))
            case .mappingEnd:
                guard case .mapping(let mark, let anchor, let entries, _) = stack.removeLast() else { continue }
                try add(YAMLNode(kind: .mapping(entries), mark: mark), anchor: anchor)
            case .sequenceEnd:
                guard case .sequence(let mark, let anchor, let items) = stack.removeLast() else { continue }
                try add(YAMLNode(kind: .sequence(items), mark: mark), anchor: anchor)
            case .scalar(let scalar):
                try add(YAMLNode(kind: .scalar(scalar), mark: event.mark), anchor: event.anchor)
            case .alias(let name):
                guard var node = anchors[name] else {
                    throw YAMLError(mark: event.mark, message: "unknown alias '*\(name)'")
                }
                node.mark = event.mark
                try add(node, anchor: nil, weight: Self.weight(of: node))
            }
        }
    }

    private static func weight(of node: YAMLNode) -> Int {
        switch node.kind {
        case .scalar: return 1
        case .sequence(let items): return items.reduce(1) { $0 + weight(of: $1) }
        case .mapping(let entries): return entries.reduce(1) { $0 + 1 + weight(of: $1.value) }
        }
    }

    private mutating func add(_ node: YAMLNode, anchor: String?, weight: Int = 1) throws(YAMLError) {
        nodeCount += weight
        if nodeCount > YAMLParser.maximumNodes {
            throw YAMLError(mark: node.mark, message: "the document expands to more than \(YAMLParser.maximumNodes) nodes")
        }
        if let anchor { anchors[anchor] = node }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(let mark, let anchor, var items):
            items.append(node)
            stack.append(.sequence(mark: mark, anchor: anchor, items: items))
        case .mapping(let mark, let anchor, var entries, let pendingKey):
            if let (key, keyMark) = pendingKey {
                entries.append(YAMLMappingEntry(key: key, keyMark: keyMark, value: node))
                stack.append(.mapping(mark: mark, anchor: anchor, entries: entries, pendingKey: nil))
            } else {
                guard case .scalar(let scalar) = node.kind else {
                    throw YAMLError(mark: node.mark, message: "a mapping key must be a scalar")
                }
                let key = scalar.resolved.keyText ?? scalar.text
                if let first = entries.first(where: { $0.key == key }) {
                    throw YAMLError(
                        mark: node.mark,
                        message: "duplicate key '\(key)' (first at line \(first.keyMark.line), column \(first.keyMark.column))"
                    )
                }
                stack.append(.mapping(mark: mark, anchor: anchor, entries: entries, pendingKey: (key, node.mark)))
            }
        }
    }
}

extension YAMLValue {
    /// The text two keys are compared by, so that `"path"` and `path` count as the same key.
    fileprivate var keyText: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

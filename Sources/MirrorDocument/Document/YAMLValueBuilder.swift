/// Turns libyaml's events into a ``JSONValue`` with an explicit stack, checking what
/// ``YAMLDocumentReader`` promises (string keys, unique keys, one document, bounded aliases and depth).
struct YAMLValueBuilder {
    private struct Frame {
        var isMapping: Bool
        var mark: SourceMark
        var anchor: String?
        var items: [JSONValue] = []
        var keys: [String] = []
        /// By Unicode scalars, as JSON compares names (``ScalarString``).
        var keySet: Set<ScalarString> = []
        var pendingKey: String?
        /// Nodes in this collection, itself included (what an alias to it costs).
        var weight = 1
        /// Levels of collections from this one down, itself included.
        var height = 1
    }

    private struct Anchored {
        var value: JSONValue
        var weight: Int
        var height: Int
    }

    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var aliasNodes = 0
    private var root: JSONValue?
    private var documents = 0

    mutating func run(_ parser: LibYAMLParser) throws(YAMLError) -> JSONValue {
        while true {
            let event = try parser.next()
            switch event.kind {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                return root ?? .null
            case .documentStart:
                documents += 1
                if documents > 1 {
                    throw YAMLError(mark: event.mark, message: "a second YAML document in the file; a stream publishes one document")
                }
            case .mappingStart, .sequenceStart:
                let isMapping = if case .mappingStart = event.kind { true } else { false }
                if let top = stack.last, top.isMapping, top.pendingKey == nil {
                    throw YAMLError(mark: event.mark, message: "a mapping key must be a string, not a \(isMapping ? "mapping" : "list")")
                }
                if let tag = event.tag, tag != YAMLTag.nonSpecific, tag != (isMapping ? YAMLTag.map : YAMLTag.seq) {
                    throw Self.unsupportedTag(event.mark)
                }
                if stack.count >= YAMLDocumentReader.maximumDepth { throw Self.tooDeep(event.mark) }
                stack.append(Frame(isMapping: isMapping, mark: event.mark, anchor: event.anchor))
            case .mappingEnd, .sequenceEnd:
                let frame = stack.removeLast()
                let value: JSONValue =
                    frame.isMapping ? .object(JSONObject(uniqueKeys: frame.keys, values: frame.items)) : .array(frame.items)
                try add(value, mark: frame.mark, anchor: frame.anchor, weight: frame.weight, height: frame.height)
            case .scalar(let scalar):
                if let top = stack.last, top.isMapping, top.pendingKey == nil {
                    try addKey(Self.key(scalar, mark: event.mark), mark: event.mark)
                    if let anchor = event.anchor { anchors[anchor] = Anchored(value: .string(stack[stack.count - 1].pendingKey!), weight: 1, height: 0) }
                } else {
                    try add(Self.value(scalar, mark: event.mark), mark: event.mark, anchor: event.anchor, weight: 1, height: 0)
                }
            case .alias(let name):
                // The anchor's name is file text: the message does not repeat it.
                guard let anchored = anchors[name] else {
                    throw YAMLError(mark: event.mark, message: "an alias to an anchor not defined before it")
                }
                if stack.count + anchored.height > YAMLDocumentReader.maximumDepth { throw Self.tooDeep(event.mark) }
                aliasNodes += anchored.weight
                if aliasNodes > YAMLDocumentReader.maximumAliasNodes {
                    throw YAMLError(
                        mark: event.mark,
                        message: "aliases expand to more than \(YAMLDocumentReader.maximumAliasNodes) nodes"
                    )
                }
                if let top = stack.last, top.isMapping, top.pendingKey == nil {
                    guard case .string(let key) = anchored.value else {
                        throw YAMLError(mark: event.mark, message: "a mapping key must be a string; this alias names something else")
                    }
                    try addKey(key, mark: event.mark)
                } else {
                    try add(anchored.value, mark: event.mark, anchor: nil, weight: anchored.weight, height: anchored.height)
                }
            }
        }
    }

    /// Adds a finished value to the collection being built, or makes it the document.
    private mutating func add(_ value: JSONValue, mark: SourceMark, anchor: String?, weight: Int, height: Int) throws(YAMLError) {
        if let anchor { anchors[anchor] = Anchored(value: value, weight: weight, height: height) }
        guard !stack.isEmpty else {
            root = value
            return
        }
        let top = stack.count - 1
        stack[top].weight += weight
        stack[top].height = max(stack[top].height, height + 1)
        stack[top].items.append(value)
        if stack[top].isMapping, let key = stack[top].pendingKey {
            stack[top].keys.append(key)
            stack[top].pendingKey = nil
        }
    }

    private mutating func addKey(_ key: String, mark: SourceMark) throws(YAMLError) {
        let top = stack.count - 1
        guard stack[top].keySet.insert(ScalarString(key)).inserted else {
            throw YAMLError(mark: mark, message: "duplicate key in a mapping")
        }
        stack[top].pendingKey = key
        stack[top].weight += 1
    }

    /// A key's text; only strings are keys in JSON (RFC 8259 §4).
    private static func key(_ scalar: YAMLScalar, mark: SourceMark) throws(YAMLError) -> String {
        let value = try value(scalar, mark: mark)
        guard case .string(let text) = value else {
            let kind = value == .null ? "null" : "a \(value.kindName)"
            throw YAMLError(
                mark: mark,
                message: "a mapping key must be a string; this one reads as \(kind) in YAML 1.2 (quote it to make it a string)"
            )
        }
        return text
    }

    /// A scalar's JSON value by its tag, or by the core schema when it has none (YAML 1.2.2 §10.3.2).
    private static func value(_ scalar: YAMLScalar, mark: SourceMark) throws(YAMLError) -> JSONValue {
        let resolved: JSONValue
        if let tag = scalar.tag {
            switch tag {
            case YAMLTag.str, YAMLTag.nonSpecific: return .string(scalar.text)
            case YAMLTag.null, YAMLTag.bool, YAMLTag.int, YAMLTag.float:
                resolved = try plain(scalar.text, mark: mark)
            default:
                throw unsupportedTag(mark)
            }
            let fits: Bool
            switch (tag, resolved) {
            case (YAMLTag.null, .null), (YAMLTag.bool, .bool): fits = true
            case (YAMLTag.int, .number(let number)): fits = !number.text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            case (YAMLTag.float, .number): fits = true
            default: fits = false
            }
            guard fits else {
                throw YAMLError(mark: mark, message: "a scalar that does not fit its tag \(YAMLTag.written(tag))")
            }
            return resolved
        }
        guard scalar.style == .plain else { return .string(scalar.text) }
        return try plain(scalar.text, mark: mark)
    }

    /// An untagged plain scalar by the core schema's resolution table. Most scalars are ordinary
    /// strings, so the first byte decides which of the table's rows can apply at all.
    private static func plain(_ text: String, mark: SourceMark) throws(YAMLError) -> JSONValue {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            switch text {
            case "~", "null", "Null", "NULL": return .null
            default: return .string(text)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return .string(text)
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"):
            switch YAMLNumberText.read(text) {
            case .number(let spelling): return .number(JSONNumber(uncheckedText: spelling))
            case .nonFinite: throw YAMLError(mark: mark, message: "infinity and NaN have no JSON form (RFC 8259 §6)")
            case .tooLong:
                throw YAMLError(mark: mark, message: "an octal or hexadecimal integer longer than \(YAMLNumberText.maximumRadixDigits) digits")
            case nil: return .string(text)
            }
        default:
            return .string(text)
        }
    }

    private static func unsupportedTag(_ mark: SourceMark) -> YAMLError {
        YAMLError(
            mark: mark,
            message: "an unsupported tag; a document holds JSON values (tags: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)"
        )
    }

    private static func tooDeep(_ mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "nesting deeper than \(YAMLDocumentReader.maximumDepth) levels")
    }
}

/// What a watched YAML document's tree is (``YAMLTreeWalker`` does the walk): JSON values, scalars
/// resolved by the YAML 1.2 core schema, string keys only, and messages that never repeat file text.
enum YAMLValueBuilder: YAMLTreeRules {
    static var maximumDepth: Int { YAMLDocumentReader.maximumDepth }

    /// A key's text; only strings are keys in JSON (RFC 8259 §4).
    static func key(_ node: JSONValue, mark: SourceMark, viaAlias: Bool) throws(YAMLError) -> String {
        if case .string(let text) = node { return text }
        if viaAlias { throw YAMLError(mark: mark, message: "a mapping key must be a string; this alias names something else") }
        let kind = node == .null ? "null" : "a \(node.kindName)"
        throw YAMLError(
            mark: mark,
            message: "a mapping key must be a string; this one reads as \(kind) in YAML 1.2 (quote it to make it a string)"
        )
    }

    static func mapping(keys: [(text: String, mark: SourceMark)], values: [JSONValue], mark: SourceMark) -> JSONValue {
        .object(JSONObject(uniqueKeys: keys.map(\.text), values: values))
    }

    static func sequence(_ items: [JSONValue], mark: SourceMark) -> JSONValue { .array(items) }

    static func aliased(_ node: JSONValue, mark: SourceMark) -> JSONValue { node }

    /// Only what aliases add is bounded: a document's own size is bounded by the file's.
    static func checkSize(nodes: Int, aliasNodes: Int, mark: SourceMark) throws(YAMLError) {
        guard aliasNodes > YAMLDocumentReader.maximumAliasNodes else { return }
        throw YAMLError(mark: mark, message: "aliases expand to more than \(YAMLDocumentReader.maximumAliasNodes) nodes")
    }

    static func checkCollectionTag(_ tag: String?, isMapping: Bool, mark: SourceMark) throws(YAMLError) {
        guard let tag, tag != YAMLTag.nonSpecific, tag != (isMapping ? YAMLTag.map : YAMLTag.seq) else { return }
        throw unsupportedTag(mark)
    }

    static func secondDocument(_ mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "a second YAML document in the file; a stream publishes one document")
    }

    static func collectionKey(isMapping: Bool, mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "a mapping key must be a string, not a \(isMapping ? "mapping" : "list")")
    }

    /// Neither the key nor the anchor's name is repeated: they are file text.
    static func duplicateKey(_ key: String, first: SourceMark, mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "duplicate key in a mapping")
    }

    static func unknownAlias(_ name: String, mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "an alias to an anchor not defined before it")
    }

    /// A scalar's JSON value by its tag, or by the core schema when it has none (YAML 1.2.2 §10.3.2).
    static func node(_ scalar: YAMLScalar, mark: SourceMark) throws(YAMLError) -> JSONValue {
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

    static func tooDeep(_ mark: SourceMark) -> YAMLError {
        YAMLError(mark: mark, message: "nesting deeper than \(YAMLDocumentReader.maximumDepth) levels")
    }
}

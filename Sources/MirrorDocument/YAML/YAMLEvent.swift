internal import CYAML

/// A libyaml event copied into Swift values, so the C event can be freed at once.
struct YAMLEvent {
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

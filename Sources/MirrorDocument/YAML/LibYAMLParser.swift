internal import CYAML

/// Owns a `yaml_parser_t` and frees it on deinit, keeping the C type out of every signature.
final class LibYAMLParser {
    private var parser = yaml_parser_t()
    private let buffer: UnsafeBufferPointer<UInt8>
    /// Whether a reader error names the bad byte or code point and says a config is UTF-8. A config's
    /// author is helped by both; a watched document's `invalid` event may not show its bytes (PROTOCOL.md).
    private let describesBadBytes: Bool

    /// The buffer must outlive the parser: libyaml reads from it until the parser is freed.
    init(_ buffer: UnsafeBufferPointer<UInt8>, describesBadBytes: Bool) {
        self.buffer = buffer
        self.describesBadBytes = describesBadBytes
        yaml_parser_initialize(&parser)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress ?? UnsafePointer(bitPattern: 1), buffer.count)
    }

    deinit {
        yaml_parser_delete(&parser)
    }

    func next() throws(YAMLError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else {
            throw syntaxError()
        }
        defer { yaml_event_delete(&event) }
        return YAMLEvent(event)
    }

    private func syntaxError() -> YAMLError {
        var message = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            // The reader (bad UTF-8, control characters) sets only a byte offset, not `problem_mark`.
            // The value is the bad octet for a UTF-8 error, the code point for a control character.
            let isEncoding = message.contains("UTF-8")
            let value = String(parser.problem_value, radix: 16, uppercase: true)
            if describesBadBytes, parser.problem_value >= 0 {
                message += isEncoding ? " (byte 0x\(value))" : " (U+\(String(repeating: "0", count: max(0, 4 - value.count)) + value))"
            }
            if describesBadBytes, isEncoding { message += "; a config file is UTF-8 text" }
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

/// Validates a JSON text (RFC 8259) and returns it minified, exactly as written otherwise.
///
/// Only insignificant whitespace (RFC 8259 §2) is dropped: keys stay in file order, numbers and
/// strings keep their spelling and escapes, so the event shows the file's own text. Because a
/// JSON string cannot hold a raw line break (§7), the result is one line, which is what an SSE
/// `data:` field needs. Input must be UTF-8 (§8.1); a leading byte order mark is ignored, as §8.1 allows.
public struct JSONMinifier {
    /// Deeper nesting is refused instead of risking the stack.
    public static let maximumDepth = 512

    public static func minify(_ bytes: [UInt8]) throws(DocumentError) -> [UInt8] {
        try bytes.withUnsafeBufferPointer { buffer throws(DocumentError) in
            var minifier = JSONMinifier(buffer)
            return try minifier.run()
        }
    }

    private let input: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var output: [UInt8] = []
    private var line = 1
    private var lineStart = 0

    private init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        output.reserveCapacity(input.count)
    }

    private mutating func run() throws(DocumentError) -> [UInt8] {
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            position = 3
            lineStart = 3
        }
        skipWhitespace()
        guard position < input.count else { throw error("the document is empty") }
        try value(depth: 0)
        skipWhitespace()
        guard position == input.count else { throw error("unexpected text after the JSON value") }
        return output
    }

    private var current: UInt8? { position < input.count ? input[position] : nil }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0D: position += 1
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(DocumentError) {
        guard let byte = current else { throw error("unexpected end of the document; a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: throw error("unexpected \(describe(byte)); a value was expected")
        }
    }

    private mutating func object(depth: Int) throws(DocumentError) {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        emit()
        skipWhitespace()
        if current == UInt8(ascii: "}") { return emit() }
        while true {
            guard current == UInt8(ascii: "\"") else {
                throw error(current == nil ? "unexpected end of the document inside an object" : "expected a string key in an object")
            }
            try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            emit()
            skipWhitespace()
            try value(depth: depth)
            guard try continues(closing: UInt8(ascii: "}"), in: "an object") else { return }
        }
    }

    private mutating func array(depth: Int) throws(DocumentError) {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        emit()
        skipWhitespace()
        if current == UInt8(ascii: "]") { return emit() }
        while true {
            try value(depth: depth)
            guard try continues(closing: UInt8(ascii: "]"), in: "an array") else { return }
        }
    }

    /// After a member or an element: true when a `,` continues the container, false when `close` ends it.
    private mutating func continues(closing close: UInt8, in container: String) throws(DocumentError) -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","):
            emit()
            skipWhitespace()
            return true
        case close:
            emit()
            return false
        case nil:
            throw error("unexpected end of the document inside \(container)")
        default:
            throw error("expected ',' or '\(Character(Unicode.Scalar(close)))' in \(container)")
        }
    }

    /// Copies a string through, checking escapes (§7) and that its bytes are well-formed UTF-8
    /// (no overlong forms, no surrogates, nothing past U+10FFFF: Unicode 15 table 3-7).
    private mutating func string() throws(DocumentError) {
        let start = position
        position += 1
        while true {
            guard let byte = current else {
                position = start
                throw error("unterminated string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                output.append(contentsOf: input[start..<position])
                return
            case UInt8(ascii: "\\"):
                position += 1
                guard let escaped = current else { continue }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    for _ in 0..<4 {
                        guard let hex = current, Self.isHexDigit(hex) else { throw error("'\\u' must be followed by four hex digits") }
                        position += 1
                    }
                default:
                    throw error("invalid escape sequence in a string (a backslash followed by a \(Self.characterClass(escaped)))")
                }
            case 0x00..<0x20:
                throw error("a control character must be escaped in a string")
            case 0x20..<0x80:
                position += 1
            default:
                try utf8Sequence()
            }
        }
    }

    private mutating func utf8Sequence() throws(DocumentError) {
        do {
            position += try UTF8Sequence.length(in: input, at: position)
        } catch {
            throw self.error(error.message)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259 §6), copied as written.
    private mutating func number() throws(DocumentError) {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, Self.isDigit(first) else { throw error("expected a digit in a number") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let digit = current, Self.isDigit(digit) else { throw error("expected a digit after '.' in a number") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let digit = current, Self.isDigit(digit) else { throw error("expected a digit in a number's exponent") }
            skipDigits()
        }
        output.append(contentsOf: input[start..<position])
    }

    private mutating func skipDigits() {
        while let byte = current, Self.isDigit(byte) { position += 1 }
    }

    private mutating func literal(_ word: StaticString) throws(DocumentError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= input.count,
            (0..<count).allSatisfy({ input[position + $0] == word.utf8Start[$0] })
        else {
            throw error("unexpected \(describe(input[position])); a value was expected")
        }
        output.append(contentsOf: input[position..<position + count])
        position += count
    }

    private mutating func emit() {
        output.append(input[position])
        position += 1
    }

    /// The error at the current position; the column counts scalars, not bytes, as editors do.
    private func error(_ message: String) -> DocumentError {
        DocumentError(line: line, column: JSONGrammar.column(in: input, lineStart: lineStart, position: position), message: message)
    }

    private func describe(_ byte: UInt8) -> String { JSONGrammar.describe(byte) }

    private static func characterClass(_ byte: UInt8) -> String { JSONGrammar.characterClass(byte) }

    private static func isDigit(_ byte: UInt8) -> Bool { JSONGrammar.isDigit(byte) }

    private static func isHexDigit(_ byte: UInt8) -> Bool { JSONGrammar.isHexDigit(byte) }
}

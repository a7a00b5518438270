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
        let lead = input[position]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw error("the file is not valid UTF-8 (a byte that cannot start a character)")
        }
        for offset in 1..<length {
            let index = position + offset
            let limitLow = offset == 1 ? lower : 0x80
            let limitHigh = offset == 1 ? upper : 0xBF
            guard index < input.count, input[index] >= limitLow, input[index] <= limitHigh else {
                throw error("the file is not valid UTF-8 (a broken multi-byte sequence)")
            }
        }
        position += length
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
        let end = min(position, input.count)
        let column = 1 + input[lineStart..<end].reduce(0) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return DocumentError(line: line, column: column, message: message)
    }

    /// What an error may say about a byte of the file. PROTOCOL.md promises that an `invalid`
    /// payload never contains the file's text, and a message that quoted the byte it stopped at
    /// would leak a secret one character per save. JSON's structural characters (RFC 8259 §2) are
    /// grammar, not content, and are named; any other byte only by its class.
    private func describe(_ byte: UInt8) -> String {
        Self.structural.contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : Self.characterClass(byte)
    }

    private static let structural: Set<UInt8> = Set("{}[],:\"".utf8)

    private static func characterClass(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return "letter"
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return "digit"
        case 0x00..<0x20, 0x7F: return "control character"
        case 0x20: return "space"
        case 0x80...: return "non-ASCII character"
        default: return "punctuation character"
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}

/// Parses a JSON text (RFC 8259) into a ``JSONValue``, strictly, on the path of every change.
///
/// Strict where the RFC leaves room (§9 lets a parser set limits and accept extensions):
/// - a key repeated in one object is an error, since §4 says such an object's meaning is
///   unpredictable and receivers disagree on it. Keys compare by Unicode scalars, as §8.3 says
///   implementations agree on (``ScalarString``), and as JSON.parse and Python do: `é` (U+00E9)
///   and `e` + U+0301 are two keys, each kept as written;
/// - a `\u` escape of a lone surrogate is an error: §8.2 allows it, but it names no character and
///   no UTF-8 text, hence no Swift `String`, can hold it;
/// - input must be well-formed UTF-8 (§8.1); a leading byte order mark is ignored, as §8.1 allows;
/// - nesting deeper than ``maximumDepth`` is an error rather than a risk to the stack.
///
/// Numbers keep their spelling (``JSONNumber``), so big integers and long decimals are exact.
/// Errors carry the line and column, 1-based (the column in characters); they never quote the
/// file's text (PROTOCOL.md), only name grammar characters and classes of bytes.
///
/// Speed: the input is read through an `UnsafeBufferPointer`; a string without escapes becomes a
/// `String` straight from its byte range, and one with escapes from runs copied into one reused buffer.
public struct JSONParser: ~Copyable {
    /// Deeper nesting is refused instead of risking the stack.
    public static let maximumDepth = 512

    public static func parse(_ bytes: [UInt8]) throws(DocumentError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(DocumentError) in
            try parse(buffer)
        }
    }

    /// The same, over bytes the caller keeps alive for the duration of the call.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(DocumentError) -> JSONValue {
        var parser = JSONParser(buffer)
        return try parser.run()
    }

    private let input: UnsafeBufferPointer<UInt8>
    private let count: Int
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    /// The decoded bytes of a string with escapes; reused, so escapes cost no allocation per string.
    private var scratch: [UInt8] = []
    /// The members of the open containers, innermost last (``ElementStack``).
    private var values = ElementStack<JSONValue>()
    private var keys = ElementStack<String>()

    private init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        self.count = input.count
    }

    private mutating func run() throws(DocumentError) -> JSONValue {
        if count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            position = 3
            lineStart = 3
        }
        skipWhitespace()
        guard position < count else { throw error("the document is empty") }
        let result = try value()
        skipWhitespace()
        guard position == count else { throw error("unexpected text after the JSON value") }
        return result
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < count {
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

    private mutating func value() throws(DocumentError) -> JSONValue {
        guard position < count else { throw error("unexpected end of the document; a value was expected") }
        switch input[position] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case let byte: throw error("unexpected \(JSONGrammar.describe(byte)); a value was expected")
        }
    }

    /// Objects up to this many members look for a duplicate key by a scan; larger ones through a set.
    private static let linearKeyLimit = 12

    private mutating func object() throws(DocumentError) -> JSONValue {
        try enter()
        position += 1
        skipWhitespace()
        if position < count, input[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(JSONObject())
        }
        let firstKey = keys.count
        let firstValue = values.count
        // By Unicode scalars (RFC 8259 §8.3): NFC "é" and NFD "é" are two keys, not a duplicate.
        var seen: Set<ScalarString> = []
        while true {
            guard position < count, input[position] == UInt8(ascii: "\"") else {
                throw error(position < count ? "expected a string key in an object" : "unexpected end of the document inside an object")
            }
            let keyPosition = position
            let key = try string()
            let members = keys.count - firstKey
            if members < Self.linearKeyLimit {
                if keys.contains(from: firstKey, where: { $0.hasSameScalars(as: key) }) { throw duplicateKey(at: keyPosition) }
                if members == Self.linearKeyLimit - 1 {
                    seen.reserveCapacity(2 * Self.linearKeyLimit)
                    keys.forEach(from: firstKey) { seen.insert(ScalarString(copy $0)) }
                    seen.insert(ScalarString(key))
                }
            } else if !seen.insert(ScalarString(key)).inserted {
                throw duplicateKey(at: keyPosition)
            }
            skipWhitespace()
            guard position < count, input[position] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            position += 1
            skipWhitespace()
            keys.push(key)
            values.push(try value())
            guard try continues(closing: UInt8(ascii: "}"), in: "an object") else { break }
        }
        depth -= 1
        return .object(JSONObject(uniqueKeys: keys.popArray(from: firstKey), values: values.popArray(from: firstValue)))
    }

    private mutating func array() throws(DocumentError) -> JSONValue {
        try enter()
        position += 1
        skipWhitespace()
        if position < count, input[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array([])
        }
        let first = values.count
        while true {
            values.push(try value())
            guard try continues(closing: UInt8(ascii: "]"), in: "an array") else { break }
        }
        depth -= 1
        return .array(values.popArray(from: first))
    }

    @inline(__always)
    private mutating func enter() throws(DocumentError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    }

    /// The key is not named: it is the file's text (PROTOCOL.md); the position finds it.
    private func duplicateKey(at keyPosition: Int) -> DocumentError {
        // A key holds no raw line break (§7), so it starts on the current line.
        DocumentError(
            line: line,
            column: JSONGrammar.column(in: input, lineStart: lineStart, position: keyPosition),
            message: "duplicate key in an object"
        )
    }

    /// After a member or an element: true when a `,` continues the container, false when `close` ends it.
    @inline(__always)
    private mutating func continues(closing close: UInt8, in container: String) throws(DocumentError) -> Bool {
        skipWhitespace()
        guard position < count else { throw error("unexpected end of the document inside \(container)") }
        let byte = input[position]
        if byte == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
            return true
        }
        if byte == close {
            position += 1
            return false
        }
        throw error("expected ',' or '\(Character(Unicode.Scalar(close)))' in \(container)")
    }

    /// A string (§7), starting at its opening quote. Without escapes it is decoded straight from its bytes.
    private mutating func string() throws(DocumentError) -> String {
        let start = position
        position += 1
        let contentStart = position
        while position < count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: input[contentStart..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(start: start, contentStart: contentStart) }
            if byte < 0x20 { throw error("a control character must be escaped in a string") }
            if byte < 0x80 {
                position += 1
            } else {
                try utf8Sequence()
            }
        }
        position = start
        throw error("unterminated string")
    }

    /// The rest of a string from its first backslash: runs between escapes are copied whole into `scratch`.
    private mutating func escapedString(start: Int, contentStart: Int) throws(DocumentError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var runStart = contentStart
        while position < count {
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                position += 1
                guard position < count else { continue }
                try escape()
                runStart = position
            case 0x00..<0x20:
                throw error("a control character must be escaped in a string")
            case 0x20..<0x80:
                position += 1
            default:
                try utf8Sequence()
            }
        }
        position = start
        throw error("unterminated string")
    }

    /// One escape (§7), `position` at the character after the backslash.
    private mutating func escape() throws(DocumentError) {
        let escaped = input[position]
        let decoded: UInt8
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded = escaped
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"): return try unicodeEscape()
        default:
            throw error("invalid escape sequence in a string (a backslash followed by a \(JSONGrammar.characterClass(escaped)))")
        }
        scratch.append(decoded)
        position += 1
    }

    /// `\uXXXX`, or a UTF-16 surrogate pair written as two such escapes (§7); `position` at the `u`.
    private mutating func unicodeEscape() throws(DocumentError) {
        let escapeStart = position - 1
        position += 1
        var scalar = try hexQuad()
        switch scalar {
        case 0xD800...0xDBFF:
            guard position + 1 < count, input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u") else {
                position = escapeStart
                throw error("a '\\u' escape of a lone surrogate (a high surrogate without a low one after it)")
            }
            position += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                position = escapeStart
                throw error("a '\\u' escape of a lone surrogate (a high surrogate without a low one after it)")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            position = escapeStart
            throw error("a '\\u' escape of a lone surrogate (a low surrogate without a high one before it)")
        default:
            break
        }
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(0xC0 | UInt8(scalar >> 6))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(0xE0 | UInt8(scalar >> 12))
            scratch.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(scalar >> 18))
            scratch.append(0x80 | UInt8((scalar >> 12) & 0x3F))
            scratch.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    private mutating func hexQuad() throws(DocumentError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < count, let digit = JSONGrammar.hexValue(input[position]) else {
                throw error("'\\u' must be followed by four hex digits")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    @inline(__always)
    private mutating func utf8Sequence() throws(DocumentError) {
        do {
            position += try UTF8Sequence.length(in: input, at: position)
        } catch {
            throw self.error(error.message)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (§6), kept as written.
    private mutating func number() throws(DocumentError) -> JSONNumber {
        let start = position
        if input[position] == UInt8(ascii: "-") { position += 1 }
        guard position < count, JSONGrammar.isDigit(input[position]) else { throw error("expected a digit in a number") }
        let first = input[position]
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if position < count, input[position] == UInt8(ascii: ".") {
            position += 1
            guard position < count, JSONGrammar.isDigit(input[position]) else {
                throw error("expected a digit after '.' in a number")
            }
            skipDigits()
        }
        if position < count, input[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") { position += 1 }
            guard position < count, JSONGrammar.isDigit(input[position]) else {
                throw error("expected a digit in a number's exponent")
            }
            skipDigits()
        }
        return JSONNumber(uncheckedText: String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self))
    }

    @inline(__always)
    private mutating func skipDigits() {
        while position < count, JSONGrammar.isDigit(input[position]) { position += 1 }
    }

    /// `true`, `false` or `null` (§3); anything else there is reported as a bad value at its first byte.
    @inline(__always)
    private mutating func literal(_ word: StaticString) throws(DocumentError) {
        let length = word.utf8CodeUnitCount
        guard position + length <= count else { throw error("unexpected letter; a value was expected") }
        var offset = 1
        while offset < length {
            guard input[position + offset] == word.utf8Start[offset] else { throw error("unexpected letter; a value was expected") }
            offset += 1
        }
        position += length
    }

    /// The error at the current position; the column counts scalars, not bytes, as editors do.
    private func error(_ message: String) -> DocumentError {
        DocumentError(line: line, column: JSONGrammar.column(in: input, lineStart: lineStart, position: position), message: message)
    }
}

import MirrorCore

/// A small JSON reader for tests only, since the real parser is written elsewhere. The text is
/// first checked and minified by ``JSONMinifier``, so this reader never meets whitespace or
/// invalid input and can stay simple.
struct TestJSON {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> JSONValue {
        var reader = TestJSON(bytes: try JSONMinifier.minify(Array(text.utf8)))
        return reader.value()
    }

    private let bytes: [UInt8]
    private var position = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func value() -> JSONValue {
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var object = JSONObject()
            while bytes[position] != UInt8(ascii: "}") {
                let key = string()
                position += 1  // ':'
                object[key] = value()
                if bytes[position] == UInt8(ascii: ",") { position += 1 }
            }
            position += 1
            return .object(object)
        case UInt8(ascii: "["):
            position += 1
            var elements: [JSONValue] = []
            while bytes[position] != UInt8(ascii: "]") {
                elements.append(value())
                if bytes[position] == UInt8(ascii: ",") { position += 1 }
            }
            position += 1
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(string())
        case UInt8(ascii: "t"):
            position += 4
            return .bool(true)
        case UInt8(ascii: "f"):
            position += 5
            return .bool(false)
        case UInt8(ascii: "n"):
            position += 4
            return .null
        default:
            let start = position
            while position < bytes.count, !",]}".utf8.contains(bytes[position]) { position += 1 }
            return .number(JSONNumber(uncheckedText: String(decoding: bytes[start..<position], as: UTF8.self)))
        }
    }

    private mutating func string() -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flushRaw() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while bytes[position] != UInt8(ascii: "\"") {
            guard bytes[position] == UInt8(ascii: "\\") else {
                raw.append(bytes[position])
                position += 1
                continue
            }
            flushRaw()
            let escaped = bytes[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = hex4()
                if (0xD800..<0xDC00).contains(code), bytes[position] == UInt8(ascii: "\\") {
                    position += 2
                    code = 0x10000 + ((code - 0xD800) << 10) + (hex4() - 0xDC00)
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escaped))
            }
        }
        flushRaw()
        position += 1
        return String(scalars)
    }

    private mutating func hex4() -> UInt32 {
        let text = String(decoding: bytes[position..<position + 4], as: UTF8.self)
        position += 4
        return UInt32(text, radix: 16)!
    }
}

extension JSONValue {
    /// Compact JSON text, for messages and comparisons.
    var text: String { String(decoding: JSONSerializer.serialize(self), as: UTF8.self) }
}

/// Byte classes of RFC 8259 text, and how an error message may speak of a byte.
///
/// Kept apart from ``JSONParser`` so the grammar and the wording of errors read in one place.
enum JSONGrammar {
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    static func isHexDigit(_ byte: UInt8) -> Bool { hexValue(byte) != nil }

    /// What an error may say about a byte of the file. PROTOCOL.md promises that an `invalid`
    /// payload never contains the file's text, and a message that quoted the byte it stopped at
    /// would leak a secret one character per save. JSON's structural characters (RFC 8259 §2) are
    /// grammar, not content, and are named; any other byte only by its class.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","),
            UInt8(ascii: ":"), UInt8(ascii: "\""):
            return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            return characterClass(byte)
        }
    }

    static func characterClass(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return "letter"
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return "digit"
        case 0x00..<0x20, 0x7F: return "control character"
        case 0x20: return "space"
        case 0x80...: return "non-ASCII character"
        default: return "punctuation character"
        }
    }

    /// The 1-based column of byte `position` on a line that starts at byte `lineStart`, counted in
    /// Unicode scalars as editors count it (continuation bytes 10xxxxxx do not start a scalar).
    static func column(in input: UnsafeBufferPointer<UInt8>, lineStart: Int, position: Int) -> Int {
        let end = min(position, input.count)
        var column = 1
        var index = lineStart
        while index < end {
            if input[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return column
    }
}

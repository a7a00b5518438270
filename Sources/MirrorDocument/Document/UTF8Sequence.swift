/// Well-formed UTF-8, checked one multi-byte sequence at a time (Unicode 15, table 3-7): no overlong
/// forms, no surrogates (U+D800–U+DFFF), nothing past U+10FFFF.
///
/// RFC 8259 §8.1 requires JSON to be UTF-8, and a `text` document is published as a JSON string, so
/// every document format checks its bytes here and reports the same two problems the same way.
package enum UTF8Sequence {
    package enum Problem: Error {
        /// A byte that cannot start a character (a stray continuation byte, 0xC0, 0xC1, 0xF5–0xFF).
        case badLead
        /// A lead byte whose continuation bytes are missing or out of range.
        case broken

        /// Never the byte itself: an `invalid` event must not leak the file's content.
        package var message: String {
            switch self {
            case .badLead: "the file is not valid UTF-8 (a byte that cannot start a character)"
            case .broken: "the file is not valid UTF-8 (a broken multi-byte sequence)"
            }
        }
    }

    /// The length of the well-formed sequence whose lead byte (≥ 0x80) is at `position`.
    @inlinable
    package static func length(in input: UnsafeBufferPointer<UInt8>, at position: Int) throws(Problem) -> Int {
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
        default: throw .badLead
        }
        guard position + length <= input.count else { throw .broken }
        let second = input[position + 1]
        guard second >= lower, second <= upper else { throw .broken }
        var offset = 2
        while offset < length {
            guard input[position + offset] & 0xC0 == 0x80 else { throw .broken }
            offset += 1
        }
        return length
    }
}

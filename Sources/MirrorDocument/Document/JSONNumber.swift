/// A JSON number exactly as written (RFC 8259 §6): `-? int frac? exp?`.
///
/// The text is kept, never converted to a Double, so `12345678901234567890` and `0.10` round-trip
/// byte for byte; `==` compares the text, which is what the diff wants (a respelled number is a
/// change the file made). ``isEqualByValue(_:)`` compares the numbers themselves, exactly, by
/// their decimal digits and exponent, for RFC 6902's `test`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's spelling; valid RFC 8259 number syntax.
    public let text: String

    /// Wraps text the parser has already checked against the RFC 8259 §6 grammar.
    public init(uncheckedText text: String) {
        self.text = text
    }

    /// Checks `text` against the RFC 8259 §6 grammar.
    public init?(_ text: String) {
        guard Self.isValid(Array(text.utf8)) else { return nil }
        self.text = text
    }

    public init(_ value: Int) {
        self.text = String(value)
    }

    public var description: String { text }

    /// True when both name the same number, whatever their spelling (`100`, `1e2`, `100.0`, `1.00E+2`).
    public func isEqualByValue(_ other: JSONNumber) -> Bool {
        text == other.text || Decimal(text) == Decimal(other.text)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }

    /// A number as sign, significant digits and exponent, with no leading or trailing zeros, so
    /// two spellings of one value give equal decimals. Exponents of any size are kept exactly
    /// (as text arithmetic on the digit count would overflow an Int for `1e99999999999999999999`).
    private struct Decimal: Equatable {
        var negative: Bool
        var digits: [UInt8]
        /// The exponent of the first significant digit, as a signed decimal string normalized to
        /// no leading zeros; kept as text so it never overflows.
        var exponent: String

        init(_ text: String) {
            let bytes = Array(text.utf8)
            var index = 0
            negative = bytes.first == UInt8(ascii: "-")
            if negative { index += 1 }
            var integer: [UInt8] = []
            var fraction: [UInt8] = []
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { integer.append(bytes[index]); index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { fraction.append(bytes[index]); index += 1 }
            }
            var exponentText = "0"
            if index < bytes.count {
                index += 1
                exponentText = String(decoding: bytes[index...], as: UTF8.self)
                if exponentText.hasPrefix("+") { exponentText.removeFirst() }
            }
            var all = integer + fraction
            // The value is 0.d1d2d3… × 10^(integer.count + exponent) once leading zeros are gone.
            var shift = integer.count
            while let first = all.first, first == UInt8(ascii: "0") { all.removeFirst(); shift -= 1 }
            while let last = all.last, last == UInt8(ascii: "0") { all.removeLast() }
            digits = all
            if all.isEmpty {
                // Zero: its sign and exponent do not matter (RFC 8259 leaves -0 to implementations; equal by value).
                negative = false
                exponent = "0"
            } else {
                exponent = Self.add(exponentText, shift)
            }
        }

        /// Adds a small Int to a decimal integer written as text, exactly.
        private static func add(_ text: String, _ amount: Int) -> String {
            if let value = Int(text) {
                let (sum, overflow) = value.addingReportingOverflow(amount)
                if !overflow { return String(sum) }
            }
            // An exponent beyond Int: `amount` (a digit count) cannot bring it back into range,
            // and two such exponents only compare equal when both texts, normalized, are equal.
            var sign = ""
            var magnitude = Substring(text)
            if magnitude.hasPrefix("-") { sign = "-"; magnitude = magnitude.dropFirst() }
            while magnitude.count > 1, magnitude.first == "0" { magnitude = magnitude.dropFirst() }
            return "\(sign)\(magnitude)~\(amount)"
        }
    }
}

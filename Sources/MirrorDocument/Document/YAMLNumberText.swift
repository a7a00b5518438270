/// YAML 1.2 core schema numbers (YAML 1.2.2 §10.3.2) respelled as RFC 8259 §6 numbers.
///
/// The core schema writes numbers JSON cannot: `+1`, `007`, `0o17`, `0x1F`, `.5`, `1.`. Each is
/// given the JSON spelling of the same value, exactly (no trip through `Double`, so a 30-digit
/// integer stays exact): `1`, `7`, `15`, `31`, `0.5`, `1.0`. Decimal digits and exponents are
/// otherwise kept as written, as ``JSONNumber`` keeps them for JSON files.
enum YAMLNumberText {
    enum Reading: Equatable {
        /// A core schema int or float, in JSON spelling.
        case number(String)
        /// `.inf`, `-.inf`, `.nan` and their case variants: no JSON number names them.
        case nonFinite
        /// An octal or hexadecimal integer with more than ``maximumRadixDigits`` digits.
        case tooLong
    }

    /// Converting base 8 or 16 to base 10 takes time quadratic in the digits; no real document writes this many.
    static let maximumRadixDigits = 1000

    /// The text's reading as a core schema int or float, or nil when it is not one.
    static func read(_ text: String) -> Reading? {
        let bytes = Array(text.utf8)
        if bytes.contains(where: { $0 >= UInt8(ascii: "A") && $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }) {
            switch text {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
                return .nonFinite
            default:
                break
            }
        }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") || bytes[1] == UInt8(ascii: "x") {
            let radix: UInt64 = bytes[1] == UInt8(ascii: "o") ? 8 : 16
            let digits = bytes[2...]
            guard digits.allSatisfy({ digitValue($0).map { $0 < radix } ?? false }) else { return nil }
            guard digits.count <= maximumRadixDigits else { return .tooLong }
            return .number(decimal(digits, radix: radix))
        }
        return decimalNumber(bytes[...]).map { .number($0) }
    }

    /// `[-+]?[0-9]+` (int) or `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (float), respelled.
    private static func decimalNumber(_ text: ArraySlice<UInt8>) -> String? {
        var rest = text
        var output: [UInt8] = []
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            if sign == UInt8(ascii: "-") { output.append(sign) }
            rest = rest.dropFirst()
        }
        let whole = rest.prefix(while: JSONGrammar.isDigit)
        rest = rest.dropFirst(whole.count)
        var fraction: ArraySlice<UInt8>?
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fraction = rest.prefix(while: JSONGrammar.isDigit)
            rest = rest.dropFirst(fraction!.count)
        }
        guard !whole.isEmpty || !(fraction ?? []).isEmpty else { return nil }
        // JSON allows no leading zeros (§6): `007` is 7, `.5` is 0.5.
        let significant = whole.drop(while: { $0 == UInt8(ascii: "0") })
        output.append(contentsOf: significant.isEmpty ? [UInt8(ascii: "0")] : Array(significant))
        if let fraction {
            output.append(UInt8(ascii: "."))
            // `1.` is a float in YAML; JSON needs a digit after the point.
            output.append(contentsOf: fraction.isEmpty ? [UInt8(ascii: "0")] : Array(fraction))
        }
        if let marker = rest.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            var exponent = rest.dropFirst()
            var written: [UInt8] = [marker]
            if let sign = exponent.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                written.append(sign)
                exponent = exponent.dropFirst()
            }
            guard !exponent.isEmpty, exponent.allSatisfy(JSONGrammar.isDigit) else { return nil }
            output.append(contentsOf: written)
            output.append(contentsOf: exponent)
            rest = []
        }
        guard rest.isEmpty else { return nil }
        return String(decoding: output, as: UTF8.self)
    }

    private static func digitValue(_ byte: UInt8) -> UInt64? {
        JSONGrammar.hexValue(byte).map(UInt64.init)
    }

    /// Base 8 or 16 digits as a base 10 integer, exactly, through limbs of nine decimal digits.
    private static func decimal(_ digits: ArraySlice<UInt8>, radix: UInt64) -> String {
        let limbBase: UInt64 = 1_000_000_000
        var limbs: [UInt64] = [0]  // least significant first
        for byte in digits {
            var carry = digitValue(byte)!
            for index in limbs.indices {
                let value = limbs[index] * radix + carry
                limbs[index] = value % limbBase
                carry = value / limbBase
            }
            while carry > 0 {
                limbs.append(carry % limbBase)
                carry /= limbBase
            }
        }
        var text = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let part = String(limb)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }
}

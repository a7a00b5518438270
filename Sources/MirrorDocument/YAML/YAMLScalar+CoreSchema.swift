/// The value of a scalar under the YAML 1.2 core schema (YAML 1.2.2 §10.3.2).
///
/// libyaml implements YAML 1.1, where `on`, `no` and `yes` are booleans; the core schema
/// keeps them strings, which is what someone writing `path: /no` means.
public enum YAMLValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    package var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "the boolean \(value)"
        case .int(let value): return "the integer \(value)"
        case .float(let value): return "the number \(value)"
        case .string(let value): return "the string \"\(value)\""
        }
    }
}

extension YAMLScalar {
    /// Resolves the scalar by the core schema's tag resolution table.
    ///
    /// Untagged plain scalars are resolved by their text; quoted and block scalars, and scalars
    /// tagged `!` or `!!str`, are strings as written. A scalar with a core schema tag is read as
    /// that type. The parser has already rejected tags a config does not know and texts that do not
    /// fit their tag, so the string fallback here is never reached for parsed input.
    public var resolved: YAMLValue {
        (try? resolve()) ?? .string(text)
    }

    /// The value under the scalar's tag, or why the tag cannot be honoured (the message names the tag).
    func resolve() throws(YAMLTagError) -> YAMLValue {
        guard let tag else { return style == .plain ? Self.resolvePlain(text) : .string(text) }
        let written = YAMLTag.written(tag)
        switch tag {
        case YAMLTag.str, YAMLTag.nonSpecific:
            return .string(text)
        case YAMLTag.int:
            guard let int = Self.parseInt(text) else { throw YAMLTagError("\(written): '\(text)' is not an integer") }
            return .int(int)
        case YAMLTag.float:
            switch Self.resolvePlain(text) {
            case .float(let double): return .float(double)
            case .int(let int): return .float(Double(int))
            default: throw YAMLTagError("\(written): '\(text)' is not a number")
            }
        case YAMLTag.bool:
            guard case .bool(let bool) = Self.resolvePlain(text) else {
                throw YAMLTagError("\(written): '\(text)' is not a boolean (true or false)")
            }
            return .bool(bool)
        case YAMLTag.null:
            guard Self.resolvePlain(text) == .null else { throw YAMLTagError("\(written): '\(text)' is not null") }
            return .null
        default:
            throw YAMLTagError(
                "unsupported tag \(written); a config value is a string, number, boolean or null (tags: !!str, !!int, !!float, !!bool, !!null)"
            )
        }
    }

    static func resolvePlain(_ text: String) -> YAMLValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if let int = parseInt(text) { return .int(int) }
        if isCoreFloat(text), let double = Double(text) { return .float(double) }
        return .string(text)
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`.
    private static func parseInt(_ text: String) -> Int? {
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        var digits = Substring(text)
        if let sign = digits.first, sign == "-" || sign == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isCoreFloat(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            var count = 0
            while let byte = bytes.first, byte >= 0x30, byte <= 0x39 { bytes = bytes.dropFirst(); count += 1 }
            return count
        }
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let whole = digits()
        var fraction = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = digits()
            if whole == 0 && fraction == 0 { return false }
        } else if whole == 0 {
            return false
        }
        if let exponent = bytes.first, exponent == UInt8(ascii: "e") || exponent == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }
}

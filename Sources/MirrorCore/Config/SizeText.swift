public import MirrorDocument

/// Byte sizes as config files write them: a plain number of bytes (`1048576`), or a number with a
/// unit: `B`, `KB`/`MB`/`GB` (powers of 1000, as SI and IEC 80000-13 define them) or
/// `KiB`/`MiB`/`GiB` (powers of 1024). Units are case-sensitive: `mb` could be read as millibits.
///
/// Every size is range-checked here, where it is read, so that a typo such as `64GiB` for `64MiB`
/// is an error at its line and column rather than a stream that tries to buffer 64 GiB.
public enum SizeText {
    /// 4 GiB: past any document a stream should read whole, and well inside `Int`.
    public static let maximum = 4 << 30

    public static func parse(_ value: YAMLValue, minimum: Int = 0, maximum: Int = Self.maximum) throws(ValueError) -> Int {
        switch value {
        case .int(let bytes):
            return try checked(bytes, text: String(bytes), minimum: minimum, maximum: maximum)
        case .string(let text):
            return try parse(text, minimum: minimum, maximum: maximum)
        default:
            throw ValueError("expected a size like 64MiB or 512KiB, got \(value.summary)")
        }
    }

    public static func parse(_ text: String, minimum: Int = 0, maximum: Int = Self.maximum) throws(ValueError) -> Int {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty else {
            throw ValueError("expected a size like 64MiB or 512KiB, got \"\(text)\"")
        }
        let multiplier: Int
        switch unit {
        case "", "B": multiplier = 1
        case "KB": multiplier = 1000
        case "MB": multiplier = 1000 * 1000
        case "GB": multiplier = 1000 * 1000 * 1000
        case "KiB": multiplier = 1 << 10
        case "MiB": multiplier = 1 << 20
        case "GiB": multiplier = 1 << 30
        default: throw ValueError("unknown size unit in \"\(text)\"; use B, KB, MB, GB, KiB, MiB or GiB")
        }
        // Digits too many for Int, or a product that overflows, are simply too large: no trap on the way.
        guard let number = Int(digits), case (let bytes, false) = number.multipliedReportingOverflow(by: multiplier) else {
            throw ValueError("\(text) is too large; at most \(describe(maximum))")
        }
        return try checked(bytes, text: text, minimum: minimum, maximum: maximum)
    }

    private static func checked(_ bytes: Int, text: String, minimum: Int, maximum: Int) throws(ValueError) -> Int {
        guard bytes <= maximum else { throw ValueError("\(text) is too large; at most \(describe(maximum))") }
        guard bytes >= minimum else { throw ValueError("\(text) is too small; at least \(describe(minimum))") }
        return bytes
    }

    /// A size in the largest binary unit that divides it, as a config would write it.
    static func describe(_ bytes: Int) -> String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}

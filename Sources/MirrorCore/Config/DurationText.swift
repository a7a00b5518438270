public import MirrorDocument

/// Durations as config files write them: `<int>(ms|s|m|h)`, or `0` for "off".
///
/// Every duration is range-checked here, where it is read, so that `check` accepts exactly what
/// `serve` can run: the server hands durations to NIO as a `TimeAmount`, which counts nanoseconds
/// in an `Int64`, and a bigger value would trap there (or in the unit arithmetic before it).
public enum DurationText {
    /// The longest duration any key may take: 2,562,047 hours (about 292 years), the whole hours that
    /// fit in `Int64` nanoseconds. Keys with a tighter sense of "too long" pass their own maximum.
    public static let maximum: Duration = .seconds(2_562_047 * 3600)

    public static func parse(_ value: YAMLValue, maximum: Duration = Self.maximum) throws(ValueError) -> Duration {
        switch value {
        case .int(0):
            return .zero
        case .int(let number):
            throw ValueError("a duration needs a unit: \(number)ms, \(number)s, \(number)m or \(number)h")
        case .string(let text):
            return try parse(text, maximum: maximum)
        default:
            throw ValueError("expected a duration like 15s or 500ms, got \(value.summary)")
        }
    }

    public static func parse(_ text: String, maximum: Duration = Self.maximum) throws(ValueError) -> Duration {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty else {
            throw ValueError("expected a duration like 15s or 500ms, got \"\(text)\"")
        }
        let nanosecondsPerUnit: Int64
        switch unit {
        case "ms": nanosecondsPerUnit = 1_000_000
        case "s": nanosecondsPerUnit = 1_000_000_000
        case "m": nanosecondsPerUnit = 60 * 1_000_000_000
        case "h": nanosecondsPerUnit = 3600 * 1_000_000_000
        case "" where digits.allSatisfy({ $0 == "0" }): return .zero
        case "": throw ValueError("a duration needs a unit: \(digits)ms, \(digits)s, \(digits)m or \(digits)h")
        default: throw ValueError("unknown duration unit in \"\(text)\"; use ms, s, m or h")
        }
        // Digits too many for Int64, or a product that overflows, are simply too long: no trap on the way.
        guard let number = Int64(digits),
              case (let nanoseconds, false) = number.multipliedReportingOverflow(by: nanosecondsPerUnit),
              Duration.nanoseconds(nanoseconds) <= maximum
        else {
            throw ValueError("\(text) is too long; at most \(describe(maximum))")
        }
        return .nanoseconds(nanoseconds)
    }

    /// A duration in the largest unit that divides it, as a config would write it.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}

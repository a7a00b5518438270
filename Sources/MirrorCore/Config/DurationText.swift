/// Durations as config files write them: `<int>(ms|s|m|h)`, or `0` for "off".
public enum DurationText {
    public static func parse(_ value: YAMLValue) throws(ValueError) -> Duration {
        switch value {
        case .int(0):
            return .zero
        case .int(let number):
            throw ValueError("a duration needs a unit: \(number)ms, \(number)s, \(number)m or \(number)h")
        case .string(let text):
            return try parse(text)
        default:
            throw ValueError("expected a duration like 15s or 500ms, got \(value.summary)")
        }
    }

    public static func parse(_ text: String) throws(ValueError) -> Duration {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, let number = Int64(digits) else {
            throw ValueError("expected a duration like 15s or 500ms, got \"\(text)\"")
        }
        switch unit {
        case "ms": return .milliseconds(number)
        case "s": return .seconds(number)
        case "m": return .seconds(number * 60)
        case "h": return .seconds(number * 3600)
        case "" where number == 0: return .zero
        default: throw ValueError("unknown duration unit in \"\(text)\"; use ms, s, m or h")
        }
    }
}

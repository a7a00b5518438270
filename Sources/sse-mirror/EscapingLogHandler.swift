import Logging

/// Wraps the standard-error handler so one log call is one line of output.
///
/// Messages and metadata carry text from outside (a `watch` path with a newline in it, a host
/// name from a request); a raw line break there would split the entry and let that text forge
/// lines of its own in the log. Control characters are written as escapes instead.
struct EscapingLogHandler: LogHandler {
    private var base: StreamLogHandler

    init(_ base: StreamLogHandler) {
        self.base = base
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue.mapValues(Self.escape) }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue.map(Self.escape) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(Self.escape(event.message.description))"
        event.metadata = event.metadata?.mapValues(Self.escape)
        base.log(event: event)
    }

    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(escape(text))
        case .stringConvertible(let value): return .string(escape(value.description))
        case .array(let values): return .array(values.map(escape))
        case .dictionary(let values): return .dictionary(values.mapValues(escape))
        }
    }

    /// C0 and C1 controls and DEL as `\n`, `\r`, `\t` or `\u{…}`; everything else as it is.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}

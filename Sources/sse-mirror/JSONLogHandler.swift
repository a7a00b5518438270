import Glibc
import Logging
import Synchronization
import MirrorDocument

/// Writes each log entry as one JSON object on one line of standard error (JSON Lines):
/// `timestamp` (RFC 3339, UTC, milliseconds), `level`, `label`, `message`, `metadata`, and `error`
/// when the call passed one.
///
/// Strings are escaped by ``JSONSerializer`` (RFC 8259 §7: `"`, `\` and every control character,
/// and U+2028/U+2029), so a newline in a watched path or a client's host name stays inside its
/// string and cannot forge an entry, which ``EscapingLogHandler`` ensures for text. What is logged
/// is the same in both formats: documents only in their published (transformed, redacted) form,
/// never a request's header fields.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// One entry is one write under this lock, so entries from different threads never interleave.
    private static let output = Mutex(())

    init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        var members: [(String, JSONValue)] = [
            ("timestamp", .string(Self.timestamp())),
            ("level", .string(event.level.rawValue)),
            ("label", .string(label)),
            ("message", .string(event.message.description)),
        ]
        if !merged.isEmpty {
            members.append(("metadata", Self.object(merged.sorted { $0.key < $1.key }.map { ($0.key, Self.value($0.value)) })))
        }
        if let error = event.error { members.append(("error", .string("\(error)"))) }
        var line = JSONSerializer.serialize(Self.object(members))
        line.append(0x0A)
        Self.output.withLock { _ in FileOutput.writeAll(line, to: 2) }
    }

    private static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(uniqueKeys: members.map(\.0), values: members.map(\.1)))
    }

    private static func value(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(Self.value))
        case .dictionary(let values): object(values.sorted { $0.key < $1.key }.map { ($0.key, Self.value($0.value)) })
        }
    }

    /// Now as `2026-11-26T13:41:41.123Z` (RFC 3339 §5.6).
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

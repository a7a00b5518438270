/// One event as the protocol names it (PROTOCOL.md), before it is turned into bytes.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field.
    public var name: String
    /// The `id:` field; nil for events that are not a version of the stream's state (`invalid`).
    public var id: EventID?
    /// The `data:` payload, UTF-8; split into one `data:` line per line by the encoder.
    public var data: [UInt8]

    public init(name: String, id: EventID?, data: [UInt8]) {
        self.name = name
        self.id = id
        self.data = data
    }

    /// `changed`: the whole current document, compact JSON.
    public static func changed(id: EventID, document: [UInt8]) -> SSEEvent {
        SSEEvent(name: "changed", id: id, data: document)
    }

    /// `removed`: the watched file is gone; `path` is the `watch` value from the config.
    public static func removed(id: EventID, watch: String) -> SSEEvent {
        SSEEvent(name: "removed", id: id, data: Array(#"{"path":\#(JSONText.quoted(watch))}"#.utf8))
    }

    /// `invalid`: the file does not parse; the last good document stays published. Never the file's text.
    public static func invalid(_ error: DocumentError) -> SSEEvent {
        let line = error.line.map(String.init) ?? "null"
        let column = error.column.map(String.init) ?? "null"
        let data = #"{"line":\#(line),"column":\#(column),"message":\#(JSONText.quoted(error.message))}"#
        return SSEEvent(name: "invalid", id: nil, data: Array(data.utf8))
    }
}

/// Writing the few JSON strings the server makes itself.
enum JSONText {
    /// A JSON string literal (RFC 8259 §7), escaping what must be escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

public import MirrorDocument

/// One event as the protocol names it (PROTOCOL.md), before it is turned into bytes.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field.
    public var name: String
    /// The `id:` field; nil for events that are not a version of the stream's state (`invalid`).
    public var id: EventID?
    /// The `data:` payload, UTF-8; split into one `data:` line per line by the encoder.
    public var data: [UInt8]
    /// How the event relates to the stream's state; what the history needs to know of it.
    public var role: EventRole

    public init(name: String, id: EventID?, data: [UInt8], role: EventRole) {
        self.name = name
        self.id = id
        self.data = data
        self.role = role
    }

    /// `changed`: the whole current document, compact JSON.
    public static func changed(id: EventID, document: [UInt8]) -> SSEEvent {
        SSEEvent(name: "changed", id: id, data: document, role: .state)
    }

    /// `patch`: an RFC 6902 JSON Patch that turns the document of the previous id into this one.
    public static func patch(id: EventID, operations: [UInt8]) -> SSEEvent {
        SSEEvent(name: "patch", id: id, data: operations, role: .delta)
    }

    /// `merge-patch`: an RFC 7396 JSON Merge Patch from the document of the previous id to this one.
    public static func mergePatch(id: EventID, patch: [UInt8]) -> SSEEvent {
        SSEEvent(name: "merge-patch", id: id, data: patch, role: .delta)
    }

    /// `appended`: the lines a followed log gained since the previous id, as a JSON array (a line
    /// stream, PROTOCOL.md "Line streams").
    public static func appended(id: EventID, lines: [UInt8]) -> SSEEvent {
        SSEEvent(name: "appended", id: id, data: lines, role: .delta)
    }

    /// `truncated`: a followed log shrank (`copytruncate`, `: > log`) to `size` bytes; reading
    /// restarts at its beginning. The lines a client has stay valid.
    public static func truncated(id: EventID, watch: String, size: Int64) -> SSEEvent {
        let data: JSONValue = ["path": .string(watch), "size": .number(JSONNumber(Int(size)))]
        return SSEEvent(name: "truncated", id: id, data: JSONSerializer.serialize(data), role: .delta)
    }

    /// `removed`: the watched file is gone; `path` is the `watch` value from the config.
    public static func removed(id: EventID, watch: String) -> SSEEvent {
        SSEEvent(name: "removed", id: id, data: JSONSerializer.serialize(["path": .string(watch)]), role: .state)
    }

    /// `invalid`: the file does not parse; the last good document stays published. Never the file's text.
    public static func invalid(_ error: DocumentError) -> SSEEvent {
        let place = { (number: Int?) -> JSONValue in number.map { .number(JSONNumber($0)) } ?? .null }
        let data: JSONValue = ["line": place(error.line), "column": place(error.column), "message": .string(error.message)]
        return SSEEvent(name: "invalid", id: nil, data: JSONSerializer.serialize(data), role: .notice)
    }
}

/// What an event is to the stream's state, which decides how the history keeps it and replays it.
public enum EventRole: Sendable, Equatable {
    /// A whole state (`changed`, `removed`): a client needs nothing before it.
    case state
    /// A change to the previous version (`patch`, `merge-patch`, `appended`, `truncated`): a client needs
    /// exactly the version before it.
    case delta
    /// Not a version (`invalid`): no id; in force until the next version.
    case notice
}

/// An incremental reader of the `text/event-stream` format (WHATWG HTML §9.2.6, "Interpreting an
/// event stream"): bytes in, in chunks cut anywhere, events and reconnection times out.
///
/// What the spec asks, and this does:
/// - one leading U+FEFF BYTE ORDER MARK is ignored, even when it arrives split across chunks;
/// - lines end at CRLF, LF or a lone CR (§9.2.5); a CR at the end of a chunk waits for the next
///   chunk to tell whether an LF follows, which then ends no second line;
/// - a line starting with `:` is a comment; `field: value` loses one space after the colon; a
///   line without a colon is a field with an empty value;
/// - `event` sets the type, `data` appends its value and an LF, `id` sets the last event ID
///   unless the value holds a NUL, `retry` sets the reconnection time only when its value is
///   ASCII digits alone; other fields are ignored;
/// - a blank line dispatches: the last event ID string is set first, then an event with no data is
///   dropped; the data loses its final LF; an event without a type is a `message`;
/// - at the end of the stream a half-received event is discarded (``finish()``).
///
/// Memory is bounded: a line longer than ``limit`` bytes, or an event whose data grows past it,
/// throws ``EventStreamError`` instead of growing the buffer.
public struct EventStreamParser: Sendable {
    /// What one chunk yields, in stream order.
    public enum Output: Sendable, Equatable {
        case event(IncomingEvent)
        /// A valid `retry:` field: the reconnection time in milliseconds.
        case retry(milliseconds: Int)
    }

    /// Large enough for the whole document of any stream the server would send (its files are at
    /// most 64 MiB by default), small enough that a runaway stream cannot take the machine.
    public static let defaultLimit = 256 << 20

    public let limit: Int
    /// The last event ID string (§9.2.6): set at every dispatch from the last `id:` seen.
    public private(set) var lastEventID: String

    private var line: [UInt8] = []
    /// The previous chunk ended with a CR: an LF at the start of this one belongs to that line end.
    private var afterCR = false
    /// Bytes of a possible byte order mark at the very start, held until it is known to be one.
    private var start: [UInt8]? = []
    private var eventType = ""
    private var dataBuffer: [UInt8] = []
    private var lastEventIDBuffer: String
    private var idInBlock: String?

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// - Parameter lastEventID: the ID a resumed connection starts from (the one it sent), which
    ///   stays the last event ID until the stream names another.
    public init(limit: Int = Self.defaultLimit, lastEventID: String = "") {
        self.limit = limit
        self.lastEventID = lastEventID
        self.lastEventIDBuffer = lastEventID
    }

    /// Reads the next bytes of the stream and returns what they complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(EventStreamError) -> [Output] {
        var output: [Output] = []
        if var held = start {
            // The byte order mark is looked for only in the stream's first three bytes.
            for byte in bytes.prefix(Self.byteOrderMark.count - held.count) { held.append(byte) }
            let rest = bytes.dropFirst(held.count - (start?.count ?? 0))
            if held.count < Self.byteOrderMark.count && held == Array(Self.byteOrderMark.prefix(held.count)) {
                start = held
                return output
            }
            start = nil
            if held != Self.byteOrderMark { try scan(held, into: &output) }
            try scan(rest, into: &output)
            return output
        }
        try scan(bytes, into: &output)
        return output
    }

    /// The end of the stream: a line or an event not ended by a blank line is discarded (§9.2.6).
    public mutating func finish() {
        line = []
        dataBuffer = []
        eventType = ""
        idInBlock = nil
        afterCR = false
    }

    private mutating func scan(_ bytes: some Collection<UInt8>, into output: inout [Output]) throws(EventStreamError) {
        var index = bytes.startIndex
        if afterCR, index < bytes.endIndex {
            afterCR = false
            if bytes[index] == Self.lf { index = bytes.index(after: index) }
        }
        while index < bytes.endIndex {
            guard let end = bytes[index...].firstIndex(where: { $0 == Self.cr || $0 == Self.lf }) else {
                try append(bytes[index...])
                return
            }
            try append(bytes[index..<end])
            try process(into: &output)
            index = bytes.index(after: end)
            if bytes[end] == Self.cr {
                if index == bytes.endIndex {
                    afterCR = true
                } else if bytes[index] == Self.lf {
                    index = bytes.index(after: index)
                }
            }
        }
    }

    private mutating func append(_ bytes: some Collection<UInt8>) throws(EventStreamError) {
        guard line.count + bytes.count <= limit else { throw .lineTooLong(limit: limit) }
        line.append(contentsOf: bytes)
    }

    /// One complete line (§9.2.6).
    private mutating func process(into output: inout [Output]) throws(EventStreamError) {
        defer { line.removeAll(keepingCapacity: line.capacity <= 1 << 16) }
        if line.isEmpty {
            dispatch(into: &output)
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = line[..<(colon ?? line.endIndex)]
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "data":
            guard dataBuffer.count + value.count + 1 <= limit else { throw .eventTooLarge(limit: limit) }
            dataBuffer.append(contentsOf: value)
            dataBuffer.append(Self.lf)
        case "id":
            if !value.contains(0) {
                lastEventIDBuffer = String(decoding: value, as: UTF8.self)
                idInBlock = lastEventIDBuffer
            }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                // More digits than an Int holds is still a (very long) time: the longest one.
                output.append(.retry(milliseconds: Int(String(decoding: value, as: UTF8.self)) ?? Int.max))
            }
        default:
            break
        }
    }

    /// A blank line: "dispatch the event" (§9.2.6).
    private mutating func dispatch(into output: inout [Output]) {
        lastEventID = lastEventIDBuffer
        defer {
            dataBuffer = []
            eventType = ""
            idInBlock = nil
        }
        guard !dataBuffer.isEmpty else { return }
        dataBuffer.removeLast()
        output.append(.event(IncomingEvent(
            name: eventType.isEmpty ? "message" : eventType, data: dataBuffer, id: idInBlock, lastEventID: lastEventID)))
    }
}

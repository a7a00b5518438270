/// One event as a client receives it from an event stream (WHATWG HTML §9.2.6, "dispatch the
/// event"): its type, its data with the lines joined by LF, and the last event ID in force.
public struct IncomingEvent: Sendable, Equatable {
    /// The `event:` field, or `message` when the block had none.
    public var name: String
    /// The `data:` lines joined by LF (the trailing LF removed), UTF-8 as received.
    public var data: [UInt8]
    /// The `id:` field of this block, if it had one (and it held no NUL); nil otherwise.
    public var id: String?
    /// The last event ID string after this event: this block's id, or the one before it, which the
    /// spec carries over from block to block. What a reconnect sends as `Last-Event-ID`.
    public var lastEventID: String

    public init(name: String, data: [UInt8], id: String?, lastEventID: String) {
        self.name = name
        self.data = data
        self.id = id
        self.lastEventID = lastEventID
    }

    /// The event as event-stream text again (`event:`, `id:`, one `data:` line per line, a blank
    /// line), as PROTOCOL.md writes events: what `follow --print events` prints.
    public var text: [UInt8] {
        var bytes = Array("event: \(name)\n".utf8)
        if let id { bytes += Array("id: \(id)\n".utf8) }
        var start = data.startIndex
        while true {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            bytes += Array("data: ".utf8)
            bytes += data[start..<end]
            bytes.append(0x0A)
            guard end < data.endIndex else { break }
            start = end + 1
        }
        bytes.append(0x0A)
        return bytes
    }
}

/// Turns the bytes of one HTTP response into events as they arrive, so a test that polls a
/// long stream parses each byte once instead of the whole stream on every poll (a 200,000-line
/// burst made every poll cost seconds under a loaded CI run).
///
/// The response head ends at the first blank line; a chunked body is de-chunked (RFC 9112 §7.1);
/// the body is read by the WHATWG event-stream rules, lines ending at LF, as `TestClient.events`
/// always has. Only complete lines are interpreted, so a partial field never counts.
public struct ReceivedEventParser: Sendable {
    public private(set) var events: [ReceivedEvent] = []
    /// Bytes of the response consumed so far.
    public private(set) var consumed = 0

    private var pending: [UInt8] = []
    private var headDone = false
    private var chunked = false
    /// Bytes left in the current chunk, and whether its closing CRLF is still to skip.
    private var chunkLeft = 0
    private var chunkCRLF = 0
    private var chunksDone = false
    private var body: [UInt8] = []

    private var name = ""
    private var id: String?
    private var data: [String] = []

    public init() {}

    /// Feeds the bytes that followed the ones consumed so far.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) {
        consumed += bytes.count
        pending += bytes
        if !headDone {
            guard let end = pending.firstRange(of: [13, 10, 13, 10]) else { return }
            let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self).lowercased()
            chunked = head.contains("transfer-encoding: chunked")
            pending.removeSubrange(..<end.upperBound)
            headDone = true
        }
        if chunked {
            dechunk()
        } else {
            body += pending
            pending = []
        }
        dispatchLines()
    }

    private mutating func dechunk() {
        var start = pending.startIndex
        defer { pending.removeSubrange(..<start) }
        while !chunksDone, start < pending.endIndex {
            if chunkCRLF > 0 {
                let skip = min(chunkCRLF, pending.endIndex - start)
                chunkCRLF -= skip
                start += skip
                continue
            }
            if chunkLeft > 0 {
                let take = min(chunkLeft, pending.endIndex - start)
                body += pending[start..<start + take]
                chunkLeft -= take
                start += take
                if chunkLeft == 0 { chunkCRLF = 2 }
                continue
            }
            guard let lineEnd = pending[start...].firstRange(of: [13, 10]) else { return }
            let sizeField = pending[start..<lineEnd.lowerBound].prefix { $0 != UInt8(ascii: ";") }
            guard let size = Int(String(decoding: sizeField, as: UTF8.self), radix: 16) else {
                chunksDone = true
                return
            }
            start = lineEnd.upperBound
            if size == 0 { chunksDone = true } else { chunkLeft = size }
        }
    }

    private mutating func dispatchLines() {
        var start = body.startIndex
        while let newline = body[start...].firstIndex(of: 10) {
            line(body[start..<newline])
            start = newline + 1
        }
        body.removeSubrange(..<start)
    }

    private mutating func line(_ bytes: ArraySlice<UInt8>) {
        if bytes.isEmpty {
            if !data.isEmpty { events.append(ReceivedEvent(name: name.isEmpty ? "message" : name, id: id, data: data.joined(separator: "\n"))) }
            name = ""
            id = nil
            data = []
            return
        }
        if bytes.first == UInt8(ascii: ":") { return }
        let line = String(decoding: bytes, as: UTF8.self)
        let field = line.prefix(while: { $0 != ":" })
        var value = line.dropFirst(field.count)
        if value.hasPrefix(":") { value = value.dropFirst() }
        if value.hasPrefix(" ") { value = value.dropFirst() }
        switch field {
        case "event": name = String(value)
        case "id": id = String(value)
        case "data": data.append(String(value))
        default: break
        }
    }
}

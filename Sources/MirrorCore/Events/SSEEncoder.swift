import Glibc
public import NIOCore

/// Turns events into `text/event-stream` bytes (WHATWG HTML §9.2.5, "Parsing an event stream"),
/// each framed once as an HTTP chunk.
///
/// The rules followed to the letter: UTF-8 without BOM; lowercase field names, one space after
/// the colon, no trailing spaces; every line of the payload in its own `data: ` line (a CR, LF or
/// CRLF inside the payload would otherwise end the field); LF line ends; a blank line dispatches.
public struct SSEEncoder: Sendable {
    private let allocator = ByteBufferAllocator()

    public init() {}

    public func encode(_ event: SSEEvent, sequence: UInt64) -> EncodedEvent {
        if Self.isOneLine(event.data) { return encodeOneLine(event, sequence: sequence) }
        var body = allocator.buffer(capacity: event.data.count + event.name.utf8.count + 64)
        body.writeStaticString("event: ")
        body.writeString(event.name)
        body.writeStaticString("\n")
        if let id = event.id {
            body.writeStaticString("id: ")
            body.writeString(id.description)
            body.writeStaticString("\n")
        }
        let dataOffset = body.writerIndex + 6
        let oneLine = writeData(event.data, into: &body)
        body.writeStaticString("\n")
        var encoded = frame(body, sequence: sequence, name: event.name, id: event.id, role: event.role)
        if oneLine {
            encoded.data = encoded.payload.getSlice(at: encoded.payload.readerIndex + dataOffset, length: event.data.count)!
        } else {
            encoded.data = ByteBuffer(bytes: event.data)
        }
        return encoded
    }

    /// The common case, every JSON payload: one `data:` line, so the body's length is known before
    /// it is written, the chunk header goes first, and the data is copied once (a log's 1 MiB
    /// `appended` events are encoded at memory speed).
    private func encodeOneLine(_ event: SSEEvent, sequence: UInt64) -> EncodedEvent {
        let id = event.id?.description
        let fields = 7 + event.name.utf8.count + 1 + (id.map { 4 + $0.utf8.count + 1 } ?? 0)
        let length = fields + 6 + event.data.count + 2
        let header = String(length, radix: 16) + "\r\n"
        var chunked = allocator.buffer(capacity: header.utf8.count + length + 2)
        chunked.writeString(header)
        chunked.writeStaticString("event: ")
        chunked.writeString(event.name)
        chunked.writeStaticString("\n")
        if let id {
            chunked.writeStaticString("id: ")
            chunked.writeString(id)
            chunked.writeStaticString("\n")
        }
        chunked.writeStaticString("data: ")
        let dataOffset = chunked.writerIndex
        chunked.writeBytes(event.data)
        chunked.writeStaticString("\n\n\r\n")
        let start = chunked.readerIndex + header.utf8.count
        return EncodedEvent(
            sequence: sequence, name: event.name, id: event.id, role: event.role, chunked: chunked,
            payload: chunked.getSlice(at: start, length: length)!,
            data: chunked.getSlice(at: dataOffset, length: event.data.count)!
        )
    }

    /// Whether the data holds no CR or LF (memchr: vectorized, where a byte loop is not).
    private static func isOneLine(_ data: [UInt8]) -> Bool {
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return true }
            return memchr(base, 0x0A, bytes.count) == nil && memchr(base, 0x0D, bytes.count) == nil
        }
    }

    /// Retry lines and comments are not part of a stream's state, so they carry sequence 0 and are
    /// sent outside the hub's ordering (on connect, and by ``LoopSubscribers/heartbeat(_:)``).
    ///
    /// `retry:` tells EventSource how long to wait before reconnecting (WHATWG §9.2.5, "retry" field).
    public func encodeRetry(milliseconds: Int) -> EncodedEvent {
        var body = allocator.buffer(capacity: 32)
        body.writeString("retry: \(milliseconds)\n\n")
        return frame(body, sequence: 0, name: "", id: nil, role: .notice)
    }

    /// A comment line: ignored by EventSource, but traffic that keeps proxies from closing an idle stream.
    public func encodeComment(_ text: String) -> EncodedEvent {
        var body = allocator.buffer(capacity: text.utf8.count + 4)
        body.writeString(text.isEmpty ? ":\n\n" : ": \(text)\n\n")
        return frame(body, sequence: 0, name: "", id: nil, role: .notice)
    }

    /// Returns whether the data was one line (one `data:` field).
    private func writeData(_ data: [UInt8], into body: inout ByteBuffer) -> Bool {
        var oneLine = true
        var lineStart = 0
        var index = 0
        while index < data.count {
            let byte = data[index]
            if byte == 0x0A || byte == 0x0D {
                oneLine = false
                body.writeStaticString("data: ")
                body.writeBytes(data[lineStart..<index])
                body.writeStaticString("\n")
                if byte == 0x0D, index + 1 < data.count, data[index + 1] == 0x0A { index += 1 }
                lineStart = index + 1
            }
            index += 1
        }
        body.writeStaticString("data: ")
        body.writeBytes(data[lineStart..<data.count])
        body.writeStaticString("\n")
        return oneLine
    }

    /// `<size in hex>\r\n<body>\r\n`, with `payload` a slice of the same storage.
    private func frame(_ body: ByteBuffer, sequence: UInt64, name: String, id: EventID?, role: EventRole) -> EncodedEvent {
        let header = String(body.readableBytes, radix: 16) + "\r\n"
        var chunked = allocator.buffer(capacity: header.utf8.count + body.readableBytes + 2)
        chunked.writeString(header)
        var source = body
        chunked.writeBuffer(&source)
        chunked.writeStaticString("\r\n")
        let payload = chunked.getSlice(at: chunked.readerIndex + header.utf8.count, length: body.readableBytes)!
        return EncodedEvent(sequence: sequence, name: name, id: id, role: role, chunked: chunked, payload: payload, data: payload.getSlice(at: payload.readerIndex, length: 0)!)
    }
}

/// Writes a ``JSONValue`` as compact JSON text (RFC 8259): no insignificant whitespace, members in
/// their order, numbers as written, strings with only the escapes §7 requires (`"`, `\` and the
/// control characters) plus U+2028 and U+2029, which JavaScript before ES2019 could not read raw.
///
/// The result has no raw line break, so it fits one SSE `data:` line (WHATWG HTML §9.2.5).
///
/// It runs for every `changed` a stream sends, on documents of tens of megabytes, so it writes
/// into one growing buffer of its own and copies runs of plain bytes at once.
public struct JSONSerializer: ~Copyable {
    private var buffer: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    private init(capacity: Int) {
        self.capacity = max(64, capacity)
        buffer = .allocate(capacity: self.capacity)
    }

    deinit {
        buffer.deallocate()
    }

    /// - Parameter sizeHint: the expected size of the output (say, the file's), to allocate once.
    public static func serialize(_ value: JSONValue, sizeHint: Int = 0) -> [UInt8] {
        var serializer = JSONSerializer(capacity: sizeHint)
        serializer.write(value)
        return serializer.bytes()
    }

    public static func writeString(_ text: String, into output: inout [UInt8]) {
        var serializer = JSONSerializer(capacity: text.utf8.count + 2)
        serializer.write(string: text)
        output.append(contentsOf: serializer.bytes())
    }

    private func bytes() -> [UInt8] {
        Array(UnsafeBufferPointer(start: buffer, count: count))
    }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: buffer, count: count)
        buffer.deallocate()
        buffer = larger
        capacity = grown
    }

    private mutating func append(_ byte: UInt8) {
        reserve(1)
        buffer[count] = byte
        count += 1
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (buffer + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    private mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): write(raw: number.text)
        case .string(let text): write(string: text)
        case .array(let elements):
            append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                write(element)
            }
            append(UInt8(ascii: "]"))
        case .object(let object):
            append(UInt8(ascii: "{"))
            let keys = object.keys
            let values = object.values
            for index in keys.indices {
                if index > 0 { append(UInt8(ascii: ",")) }
                write(string: keys[index])
                append(UInt8(ascii: ":"))
                write(values[index])
            }
            append(UInt8(ascii: "}"))
        }
    }

    private mutating func write(raw text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Which bytes need a look: `"`, `\`, controls, and 0xE2 (which may start U+2028 or U+2029).
    private static let special: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }
    private static let hex: StaticString = "0123456789abcdef"

    private mutating func write(string text: String) {
        append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            Self.special.withUnsafeBufferPointer { special in
                var runStart = 0
                var index = 0
                let count = bytes.count
                while index < count {
                    let byte = bytes[index]
                    guard special[Int(byte)] else {
                        index += 1
                        continue
                    }
                    var length = 1
                    let escape: StaticString?
                    switch byte {
                    case UInt8(ascii: "\""): escape = "\\\""
                    case UInt8(ascii: "\\"): escape = "\\\\"
                    case 0x0A: escape = "\\n"
                    case 0x0D: escape = "\\r"
                    case 0x09: escape = "\\t"
                    case 0x08: escape = "\\b"
                    case 0x0C: escape = "\\f"
                    case 0xE2:
                        guard index + 2 < count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 else {
                            index += 1
                            continue
                        }
                        escape = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                        length = 3
                    default: escape = nil  // another control character: \u00XX
                    }
                    append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    if let escape {
                        append(escape)
                    } else {
                        append("\\u00")
                        append(Self.hex.utf8Start[Int(byte >> 4)])
                        append(Self.hex.utf8Start[Int(byte & 0x0F)])
                    }
                    index += length
                    runStart = index
                }
                append(UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            }
        }
        append(UInt8(ascii: "\""))
    }
}

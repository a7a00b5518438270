import MirrorDocument

/// Writes lines of a log as JSON strings straight into bytes (RFC 8259 §7), without a `String` or
/// a ``JSONValue`` per line: a log streams at the speed its bytes can be copied.
///
/// Runs of plain bytes, well-formed UTF-8 included, are copied as they are; `"`, `\` and control
/// characters are escaped (NUL as `\u0000`), as are U+2028 and U+2029 (as ``JSONSerializer``
/// does); every byte that is not part of well-formed UTF-8 (Unicode 15, table 3-7) becomes U+FFFD.
/// The result holds no raw CR or LF, so an event stays one `data:` line whatever the log holds.
enum LineJSON {
    /// Which bytes need a look: `"`, `\`, controls, and everything from 0x80.
    private static let special: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x80 }
    private static let hex = Array("0123456789abcdef".utf8)
    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Whether none of eight bytes (one word) is special: no byte below 0x20, none from 0x80, no
    /// `"` (0x22) and no `\\` (0x5C). The SWAR tests ("determine if a word has a byte less than
    /// n", "… equal to n", Sean Anderson's Bit Twiddling Hacks) are exact about whether any byte
    /// matches, which is all that is asked.
    @inline(__always)
    static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let below = (word &- ones &* 0x20) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return (below | zeroQuote | zeroBackslash | word) & highs == 0
    }

    static func appendString(_ line: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(0x22)
        _ = appendEscaped(line.assumingMemoryBound(to: UInt8.self), to: &output, splitsLines: false) { _, _ in true }
        output.append(0x22)
    }

    /// Appends every line of `region`, which ends with an LF and holds no CR, as JSON strings
    /// separated by commas, calling `lineStart` with the offset of each element in `output` before
    /// it is written: one pass over a log's read, where ``appendString(_:to:)`` makes one call per
    /// line. Returns false, with `output` as it was, when a line is longer than `maxLine`: the
    /// splitter then cuts it, line by line.
    static func appendLines(
        _ region: UnsafeRawBufferPointer, maxLine: Int, to output: inout [UInt8], lineStart: (Int) -> Void
    ) -> Bool {
        let bytes = region.assumingMemoryBound(to: UInt8.self)
        let before = output.count
        var lineBegins = 0
        lineStart(output.count)
        output.append(0x22)
        let fits = appendEscaped(bytes, to: &output, splitsLines: true) { output, index in
            guard index - lineBegins <= maxLine else { return false }
            output.append(0x22)
            lineBegins = index + 1
            if lineBegins < bytes.count {
                output.append(UInt8(ascii: ","))
                lineStart(output.count)
                output.append(0x22)
            }
            return true
        }
        if !fits { output.removeSubrange(before...) }
        return fits
    }

    /// The escaping loop of both: runs of plain bytes copied at once, the rest escaped. When it
    /// `splitsLines`, an LF is not escaped but handed to `lineFeed` (with its index, the run before
    /// it already written), and a false answer stops the loop and is returned.
    private static func appendEscaped(
        _ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8], splitsLines: Bool,
        lineFeed: (inout [UInt8], Int) -> Bool
    ) -> Bool {
        special.withUnsafeBufferPointer { special in
            var runStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                // Eight plain bytes at a time: a log line is mostly ASCII that needs no escape.
                while index + 8 <= count, isPlain(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                }
                guard index < count else { break }
                let byte = bytes[index]
                guard special[Int(byte)] else {
                    index += 1
                    continue
                }
                if byte >= 0x80 {
                    if let length = try? UTF8Sequence.length(in: bytes, at: index) {
                        // U+2028 and U+2029 (E2 80 A8/A9) are escaped; every other character is copied.
                        guard length == 3, byte == 0xE2, bytes[index + 1] == 0x80, bytes[index + 2] & 0xFE == 0xA8 else {
                            index += length
                            continue
                        }
                        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                        output.append(contentsOf: bytes[index + 2] == 0xA8 ? Array("\\u2028".utf8) : Array("\\u2029".utf8))
                        index += 3
                    } else {
                        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                        output.append(contentsOf: replacement)
                        index += 1
                    }
                    runStart = index
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                switch byte {
                case 0x0A where splitsLines:
                    guard lineFeed(&output, index) else { return false }
                case 0x22: output.append(0x5C); output.append(0x22)
                case 0x5C: output.append(0x5C); output.append(0x5C)
                case 0x0A: output.append(0x5C); output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(0x5C); output.append(UInt8(ascii: "r"))
                case 0x09: output.append(0x5C); output.append(UInt8(ascii: "t"))
                default:
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
                index += 1
                runStart = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            return true
        }
    }
}

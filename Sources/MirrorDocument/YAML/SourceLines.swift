/// The lines of a YAML text, split where libyaml counts a line break, so that a mark it reports
/// names the line it meant.
///
/// libyaml follows YAML 1.1 §4.1.4: a break is `\r\n`, a lone `\r`, `\n`, or one of NEL (U+0085),
/// LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029). Splitting a Swift `String` on
/// `"\n"` misses most of these, and cannot split CRLF text at all, since `"\r\n"` is one `Character`.
/// Columns are counted in Unicode scalars, as libyaml counts them.
public struct SourceLines: Sendable {
    private let bytes: [UInt8]
    /// The byte range of each line's text, without its break.
    private let ranges: [Range<Int>]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var ranges: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            let length = Self.breakLength(bytes, at: index)
            if length > 0 {
                ranges.append(start..<index)
                index += length
                start = index
            } else {
                index += 1
            }
        }
        ranges.append(start..<bytes.count)
        self.ranges = ranges
    }

    public var count: Int { ranges.count }

    /// The text of a 1-based line, without its break, or nil past the end.
    public func text(ofLine line: Int) -> String? {
        guard line >= 1, line <= ranges.count else { return nil }
        return String(decoding: bytes[ranges[line - 1]], as: UTF8.self)
    }

    /// The mark of a byte offset, for libyaml's reader errors, which give only `problem_offset`.
    public func mark(ofByteOffset offset: Int) -> SourceMark {
        let offset = min(max(offset, 0), bytes.count)
        // The last line that starts at or before the offset; a break's own bytes count as the end of its line.
        var low = 0
        var high = ranges.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if ranges[middle].lowerBound <= offset { low = middle } else { high = middle - 1 }
        }
        // UTF-8 continuation bytes (10xxxxxx) do not start a scalar, so they do not move the column.
        let scalars = bytes[ranges[low].lowerBound..<offset].count(where: { $0 & 0xC0 != 0x80 })
        return SourceMark(line: low + 1, column: scalars + 1)
    }

    /// How many bytes the line break at `index` takes, or 0 if none starts there.
    private static func breakLength(_ bytes: [UInt8], at index: Int) -> Int {
        func byte(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        switch bytes[index] {
        case 0x0A: return 1
        case 0x0D: return byte(1) == 0x0A ? 2 : 1
        case 0xC2: return byte(1) == 0x85 ? 2 : 0
        case 0xE2: return byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9) ? 3 : 0
        default: return 0
        }
    }
}

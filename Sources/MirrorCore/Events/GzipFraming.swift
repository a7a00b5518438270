internal import CZlib

/// What a gzip member (RFC 1952) adds around the deflate segments of the events a client gets.
public enum GzipFraming {
    /// The plain 10-byte header (RFC 1952 §2.3): magic, deflate, no flags, no time, no extra
    /// flags, operating system unknown (255).
    public static let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF]

    /// A final empty block with fixed Huffman codes (RFC 1951 §3.2.6: BFINAL 1, BTYPE 01, then the
    /// end-of-block code), ending the deflate stream after the last segment.
    public static let finalBlock: [UInt8] = [0x03, 0x00]

    /// What ends a member cleanly: the final block, then the CRC-32 and the length (mod 2^32) of
    /// everything it held, little-endian (RFC 1952 §2.3.1).
    public static func end(of tally: GzipTally) -> [UInt8] {
        var bytes = finalBlock
        for value in [tally.checksum, UInt32(truncatingIfNeeded: tally.size)] {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}

/// The CRC-32 and length of what one client has been sent, for its trailer: combined per segment
/// from the segment's own (`crc32_combine`), so no client keeps a zlib state or sees its bytes twice.
public struct GzipTally: Sendable, Equatable {
    public private(set) var checksum: UInt32 = 0
    public private(set) var size = 0

    public init() {}

    public mutating func add(_ segment: DeflateSegment) {
        checksum = UInt32(crc32_combine(uLong(checksum), uLong(segment.checksum), Int(segment.size)))
        size += segment.size
    }
}

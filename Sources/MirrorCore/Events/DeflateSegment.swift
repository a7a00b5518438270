internal import CZlib

/// One event's bytes compressed once, as a self-contained raw deflate segment (RFC 1951): a fresh
/// deflate state, ended by a sync flush (an empty stored block, `00 00 FF FF`), so that it refers
/// to nothing before it and ends on a byte boundary. Segments one after another, with no final
/// block between them, are one valid deflate stream, so every client that accepts gzip can be sent
/// the same bytes: a gzip body is ``GzipFraming/header``, then the segments of the events that
/// client gets, and at a clean end ``GzipFraming/end(of:)``.
///
/// Made once per event on the worker that encodes it, never per client; the CRC-32 and length of
/// what it holds come with it, so a client's trailer is combined from them (``GzipTally``).
public struct DeflateSegment: Sendable, Equatable {
    /// The compressed bytes: one or more deflate blocks, the last a sync flush's empty stored block.
    public let bytes: [UInt8]
    /// CRC-32 (ISO 3309, as gzip's trailer uses) of the uncompressed bytes.
    public let checksum: UInt32
    /// How many bytes it inflates to.
    public let size: Int

    /// Compresses `input` at `level` (1 is the fastest; the compression is paid once per event).
    /// When that does not gain (a 90-byte patch, say), the segment is stored blocks instead, still a
    /// segment, so it never costs more than a few bytes over the input.
    public init(compressing input: [UInt8], level: Int32 = 1) {
        let compressed = Self.deflate(input, level: level)
        let stored = compressed.count > input.count + 16 ? Self.deflate(input, level: Z_NO_COMPRESSION) : compressed
        bytes = stored
        checksum = input.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        size = input.count
    }

    /// Raw deflate (negative window bits: no zlib header) of `input`, ended by Z_SYNC_FLUSH.
    private static func deflate(_ input: [UInt8], level: Int32) -> [UInt8] {
        var stream = z_stream()
        // 15 window bits, negated for raw deflate; 8 is zlib's default memory level.
        guard deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            preconditionFailure("zlib could not start a deflate stream")
        }
        defer { deflateEnd(&stream) }
        // deflateBound is for Z_FINISH; a sync flush adds its empty stored block. zlib says a
        // flush that filled the output is called again, so the room grows until it is done.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var written = 0
        var input = input
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let room = output.count - written
                let result = output.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress! + written
                    stream.avail_out = uInt(room)
                    return CZlib.deflate(&stream, Z_SYNC_FLUSH)
                }
                written += room - Int(stream.avail_out)
                precondition(result == Z_OK || result == Z_BUF_ERROR, "zlib deflate failed: \(result)")
                if stream.avail_out > 0 { break }
                output += [UInt8](repeating: 0, count: max(64, output.count / 2))
            }
        }
        output.removeSubrange(written...)
        return output
    }
}

import Glibc

/// The last lines of a log, found by reading backwards from its end in growing blocks, so that a
/// 5 GB log starts at once and the start reads only what it shows.
enum LogTail {
    /// The first block read from the end; each further read doubles the region.
    static let firstBlock = 64 << 10
    /// The most read backwards: the last lines are looked for in the last 64 MiB only.
    static let scanLimit = 64 << 20

    /// What the start of a log found.
    struct Found {
        /// The complete lines from a line start to `end`, of which the caller keeps the last N that
        /// pass its filters.
        var bytes: [UInt8]
        /// Where following starts: just after the last line end (a fragment after it is read as
        /// the log grows, and completed when its line end arrives).
        var end: Int64
        /// The last line end is a CR at `end - 1`: an LF right after it completes a CRLF.
        var endsWithCR: Bool
    }

    /// Reads back from `size` until `enough` says the region holds enough lines, the start of the
    /// file, or ``scanLimit``. `enough` gets regions that start at a line start and end at a line end.
    static func read(_ fd: Int32, size: Int64, enough: ([UInt8]) -> Bool) -> Found {
        var length = Int64(min(firstBlock, scanLimit))
        while true {
            let start = max(0, size - length)
            let region = read(fd, from: start, count: Int(size - start))
            // The region ends at the last line end; a fragment after it is left to the follower.
            guard let last = region.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }) else {
                if start == 0 { return Found(bytes: [], end: 0, endsWithCR: false) }
                if length >= scanLimit { return Found(bytes: [], end: size, endsWithCR: false) }
                length *= 2
                continue
            }
            var first = 0
            if start > 0 {
                // The region's first line may have begun before it: skip past the first line end.
                guard let boundary = region.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return Found(bytes: [], end: size, endsWithCR: false) }
                first = boundary + 1
                if region[boundary] == 0x0D && first < region.count && region[first] == 0x0A { first += 1 }
            }
            let lines = first <= last ? Array(region[first...last]) : []
            if start == 0 || length >= scanLimit || enough(lines) {
                return Found(bytes: lines, end: start + Int64(last) + 1, endsWithCR: region[last] == 0x0D)
            }
            length *= 2
        }
    }

    static func read(_ fd: Int32, from offset: Int64, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset) + off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        bytes.removeSubrange(got...)
        return bytes
    }
}

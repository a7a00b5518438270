import Glibc

/// A writer that never lets a file hold still, for the torn-read tests of the reader and of the server.
public enum AppendingWriter {
    /// Appends `chunk` digits at a time (open with O_APPEND, write, close) for `duration`, starting
    /// over (O_TRUNC) whenever the file would pass `wrap` bytes; returns the final length.
    ///
    /// A chunk spans many pages and the kernel grows the file page by page during one write, so a
    /// read that meets the end of the file while an append is being copied stops at a page boundary
    /// inside it: a length that is no multiple of `chunk` is a state that was never written (and
    /// still a valid JSON number).
    public static func appendDigits(to path: String, chunk: Int, wrap: Int, for duration: Duration) -> Int {
        let bytes = [UInt8](repeating: UInt8(ascii: "7"), count: chunk)
        let end = ContinuousClock.now.advanced(by: duration)
        var length = 0
        while ContinuousClock.now < end {
            if length + chunk > wrap {
                close(open(path, O_WRONLY | O_TRUNC | O_CLOEXEC))
                length = 0
            }
            let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { break }
            length += bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return length
    }
}

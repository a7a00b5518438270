import Glibc

/// Writes to a standard stream by descriptor with write(2): the C `stdout`/`stderr` globals are
/// shared mutable state to strict concurrency.
enum FileOutput {
    /// Writes every byte (a pipe may take fewer at a time), retrying on EINTR; stops at an error
    /// (false: a closed pipe, EPIPE, since SwiftNIO ignores SIGPIPE).
    @discardableResult
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            written += count
        }
        return true
    }
}

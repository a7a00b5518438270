import Foundation
import Glibc

extension TemporaryDirectory {
    /// Appends `text` with one `write(2)` through O_APPEND, as a logger does.
    public func append(_ name: String, _ text: String) throws {
        let fd = open(url(name), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
    }

    public func read(_ name: String) throws -> String {
        try String(contentsOfFile: url(name), encoding: .utf8)
    }
}

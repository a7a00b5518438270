import Foundation
import Glibc

/// A real folder under /tmp, removed at the end; file operations here are the exact system calls
/// each save style makes, so the watcher sees what it would see from the real tool.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/sse-mirror-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    func url(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// open(O_CREAT|O_TRUNC), write each part (pausing between parts), close: an in-place save.
    func writeInPlace(_ name: String, _ parts: [String], pause: Duration = .zero) throws {
        let fd = open(url(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        defer { close(fd) }
        // Readable by the unprivileged server of ServerProcess whatever the umask.
        fchmod(fd, 0o644)
        for (index, part) in parts.enumerated() {
            if index > 0 && pause > .zero { usleep(UInt32(pause / .microseconds(1))) }
            let bytes = Array(part.utf8)
            guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
        }
    }

    func write(_ name: String, _ text: String) throws {
        try writeInPlace(name, [text])
    }

    func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(url(from), url(to)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    func unlink(_ name: String) throws {
        guard Glibc.unlink(url(name)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    func symlink(_ name: String, to destination: String) throws {
        guard Glibc.symlink(destination, url(name)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    func mkdir(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: url(name), withIntermediateDirectories: true)
    }

    func removeTree(_ name: String) throws {
        try FileManager.default.removeItem(atPath: url(name))
    }
}

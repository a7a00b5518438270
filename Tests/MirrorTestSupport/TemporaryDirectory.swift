import Foundation
import Glibc

/// A real folder under /tmp, removed at the end; file operations here are the exact system calls
/// each save style makes, so the watcher sees what it would see from the real tool.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// A new folder `/tmp/PREFIX-XXXXXX` (mkdtemp(3): mode 0700, a name no other run has).
    public init(prefix: String = "sse-mirror-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    public func url(_ name: String) -> String { path + "/" + name }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// open(O_CREAT|O_TRUNC), write each part (pausing between parts), close: an in-place save.
    public func writeInPlace(_ name: String, _ parts: [String], pause: Duration = .zero) throws {
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

    public func write(_ name: String, _ text: String) throws {
        try writeInPlace(name, [text])
    }

    public func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(url(from), url(to)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    public func unlink(_ name: String) throws {
        guard Glibc.unlink(url(name)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    public func symlink(_ name: String, to destination: String) throws {
        guard Glibc.symlink(destination, url(name)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    public func mkdir(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: url(name), withIntermediateDirectories: true)
    }

    public func removeTree(_ name: String) throws {
        try FileManager.default.removeItem(atPath: url(name))
    }
}

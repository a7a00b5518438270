import Glibc

/// A file's bytes together with the identity they were read at.
public struct FileContent: Sendable, Equatable {
    public var bytes: [UInt8]
    public var identity: FileIdentity
}

/// Why a file could not be read.
public struct FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Base: Sendable, Equatable {
        case missing
        case notRegular
        case tooLarge(limit: Int)
        case system(errno: Int32)
    }

    private let base: Base

    /// Nothing is at the path (ENOENT or ENOTDIR on the way): for a watched file, the `removed` state.
    public var isMissing: Bool { base == .missing }

    static func from(errno code: Int32) -> FileReadError {
        code == ENOENT || code == ENOTDIR ? FileReadError(base: .missing) : FileReadError(base: .system(errno: code))
    }

    static let notRegular = FileReadError(base: .notRegular)
    static func tooLarge(limit: Int) -> FileReadError { FileReadError(base: .tooLarge(limit: limit)) }

    public var description: String {
        switch base {
        case .missing: return "no such file"
        case .notRegular: return "not a regular file"
        case .tooLarge(let limit): return "the file is larger than the limit of \(limit) bytes"
        case .system(let code): return String(cString: strerror(code))
        }
    }
}

/// Reads whole files, bounded, and only once they hold still.
public enum FileReader {
    public static func readAll(path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        try read(path: path, limit: limit).bytes
    }

    /// Reads `path` whole. A writer that changes the file during the read (size or mtime differ
    /// before and after) makes it read again, a few times at most, so a torn read is not returned
    /// as if it were a version of the file.
    public static func read(path: String, limit: Int) throws(FileReadError) -> FileContent {
        // O_NONBLOCK so a FIFO at the path cannot block the watcher; it is rejected as not regular below.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw FileReadError.from(errno: errno) }
        defer { close(fd) }
        var attempt = 0
        while true {
            let before = try identity(fd)
            let bytes = try readBytes(fd, limit: limit, sizeHint: Int(before.size))
            let after = try identity(fd)
            attempt += 1
            if before == after || attempt == 3 {
                return FileContent(bytes: bytes, identity: after)
            }
        }
    }

    private static func identity(_ fd: Int32) throws(FileReadError) -> FileIdentity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileReadError.from(errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileReadError.notRegular }
        return FileIdentity(info)
    }

    private static func readBytes(_ fd: Int32, limit: Int, sizeHint: Int) throws(FileReadError) -> [UInt8] {
        guard sizeHint <= limit else { throw FileReadError.tooLarge(limit: limit) }
        var bytes = [UInt8](repeating: 0, count: min(limit, sizeHint) + 1)
        var count = 0
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw FileReadError.from(errno: errno) }
        while true {
            if count == bytes.count {
                guard count <= limit else { throw FileReadError.tooLarge(limit: limit) }
                bytes.append(contentsOf: repeatElement(0, count: min(max(count, 4096), limit + 1 - count)))
            }
            let got = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw FileReadError.from(errno: errno)
            }
            if got == 0 { break }
            count += got
            if count > limit { throw FileReadError.tooLarge(limit: limit) }
        }
        bytes.removeSubrange(count...)
        return bytes
    }
}

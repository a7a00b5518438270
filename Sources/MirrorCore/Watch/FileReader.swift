import Glibc

/// A file's bytes together with the identity they were read at.
public struct FileContent: Sendable, Equatable {
    public var bytes: [UInt8]
    public var identity: FileIdentity

    /// A writer stalled inside one `write(2)` (preempted, or waiting for memory) changes neither
    /// size nor mtime between the reader's two fstat calls, yet the file then ends at a page
    /// boundary inside the write: the kernel updates mtime when a write starts and grows the file a
    /// page at a time. Such a reading may be torn, so the reader asks whether a writer can still be
    /// at work before it hands it over.
    public var endsAtPageBoundary: Bool { !bytes.isEmpty && bytes.count % FileReader.pageBoundary == 0 }
}

/// Why a file could not be read.
public struct FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Base: Sendable, Equatable {
        case missing
        case notRegular
        case tooLarge(limit: Int)
        case changing
        case refusedLink(configuredPath: String?, linkOwner: UInt32, targetOwner: UInt32)
        case system(errno: Int32)
    }

    private let base: Base

    /// Nothing is at the path (ENOENT or ENOTDIR on the way): for a watched file, the `removed` state.
    public var isMissing: Bool { base == .missing }

    static func from(errno code: Int32) -> FileReadError {
        code == ENOENT || code == ENOTDIR ? FileReadError(base: .missing) : FileReadError(base: .system(errno: code))
    }

    /// The failure says nothing about the file, so it is no reading to hand to the stream: the
    /// watcher looks again later. Either the file changed during every read of one attempt (a
    /// writer that does not pause: no reading can be trusted to be a state the writer meant), or the
    /// system was short of something that comes back (descriptors, memory), where an `invalid`
    /// would tell every client the file is broken when it is not.
    public var isNoReading: Bool {
        switch base {
        case .changing: return true
        case .system(let code): return code == EMFILE || code == ENFILE || code == ENOMEM || code == ENOBUFS || code == EAGAIN
        default: return false
        }
    }

    static let notRegular = FileReadError(base: .notRegular)
    static let changing = FileReadError(base: .changing)
    static func tooLarge(limit: Int) -> FileReadError { FileReadError(base: .tooLarge(limit: limit)) }
    static func refusedLink(configuredPath: String?, linkOwner: UInt32, targetOwner: UInt32) -> FileReadError {
        FileReadError(base: .refusedLink(configuredPath: configuredPath, linkOwner: linkOwner, targetOwner: targetOwner))
    }

    /// The description, naming a refused link by the stream's `watch` value when the link is the
    /// watched path itself. Neither the link's text nor its target's path is ever named: they
    /// could tell what the link points at (PROTOCOL.md, `invalid`).
    public func description(watch: String, watchPath: String) -> String {
        guard case .refusedLink(let path, let linkOwner, let targetOwner) = base else { return description }
        let link = path.map { "symlink '\($0 == watchPath ? watch : $0)'" } ?? "a symlink on the way to '\(watch)'"
        return "\(link) is owned by uid \(linkOwner) but its target by uid \(targetOwner); refused (symlinks: same-owner)"
    }

    public var description: String {
        switch base {
        case .missing: return "no such file"
        case .notRegular: return "not a regular file"
        case .tooLarge(let limit): return "the file is larger than the limit of \(limit) bytes"
        case .changing: return "the file kept changing while it was read"
        case .refusedLink(let path, let linkOwner, let targetOwner):
            let link = path.map { "symlink '\($0)'" } ?? "a symlink on the way"
            return "\(link) is owned by uid \(linkOwner) but its target by uid \(targetOwner); refused (symlinks: same-owner)"
        case .system(let code): return String(cString: strerror(code))
        }
    }
}

/// Reads whole files, bounded, and only once they hold still.
public enum FileReader {
    /// How often one read tries to catch the file holding still before it gives up.
    static let attempts = 4
    /// The pause before each further attempt, doubled each time (0.5, 1, 2 ms: 3.5 ms in all).
    /// Trying again at once would meet the same moment: IN_CLOSE_WRITE is sent before the closing
    /// descriptor gives up its write access (`__fput` calls `fsnotify_close` before
    /// `put_file_access`), so a read the close event started can find the lease refused for a few
    /// microseconds. Without the pause, a 64 KB save was held back for the whole settle time (50 ms)
    /// about once in 250 saves.
    static let retryPause = Duration.microseconds(500)
    /// The first `read(2)` asks for at least this much. Files that report `st_size` 0 (procfs,
    /// sysfs, some FUSE files) must be read in one call: procfs answers a read at a later offset
    /// with EOF, so asking for `st_size + 1` bytes published `/proc/sys/kernel/pid_max` as `3`.
    static let firstReadSize = 64 << 10

    /// Reads a file the operator named (the config file) as the kernel resolves its path: every
    /// symlink followed, and `..` after a symlink taken physically (`link/../mirror.yaml` is the
    /// file next to the link's target, which is what the operator's shell opens too).
    public static func readAll(path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        // O_NONBLOCK so a FIFO cannot block; anything but a regular file is refused by `identity`.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw FileReadError.from(errno: errno) }
        defer { close(fd) }
        return try read(fd, limit: limit).bytes
    }

    /// Reads `path` whole. A writer that changes the file during the read (size or mtime differ
    /// before and after, or a writer still at work on a reading that ends at a page boundary) makes
    /// it read again, a few times at most; if it never held still, the read fails as no reading
    /// (``FileReadError/isNoReading``): a reading taken while a writer appends can end inside the
    /// write, and a prefix of a valid document may itself be valid (a number, growing by appends),
    /// so it must not pass for a version of the file.
    ///
    /// Symlinks on the way are followed as `symlinks` allows (see ``SymlinkWalk``); only a regular
    /// file is opened, so a FIFO or a device at the path neither blocks the watcher nor is touched.
    public static func read(path: String, limit: Int, symlinks: SymlinkPolicy = .sameOwner) throws(FileReadError) -> FileContent {
        let fd = try SymlinkWalk.open(PathText.absolute(path), policy: symlinks)
        defer { close(fd) }
        return try read(fd, limit: limit)
    }

    static func read(_ fd: Int32, limit: Int) throws(FileReadError) -> FileContent {
        for attempt in 0..<attempts {
            if attempt > 0 { pause(retryPause * (1 << (attempt - 1))) }
            let before = try identity(fd)
            let bytes = try readBytes(fd, limit: limit, sizeHint: Int(before.size))
            let after = try identity(fd)
            guard holdsStill(before, after, read: bytes.count) else { continue }
            let content = FileContent(bytes: bytes, identity: after)
            if try !mayBeTorn(content, fd) { return content }
        }
        throw FileReadError.changing
    }

    private static func pause(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }

    /// Whether nothing wrote to the file between two fstat calls around a read. A file that reports
    /// size 0 although it held bytes is synthetic (procfs, sysfs): its size and times say nothing
    /// about its content and may differ from one fstat to the next, so only its identity is compared.
    static func holdsStill(_ before: FileIdentity, _ after: FileIdentity, read count: Int) -> Bool {
        if before == after { return true }
        let synthetic = before.size == 0 && after.size == 0 && count > 0
        return synthetic && before.device == after.device && before.inode == after.inode
    }

    /// Whether a reading that ends at a page boundary may have been cut inside a write that is
    /// still going on (``FileContent/endsAtPageBoundary``).
    ///
    /// A read lease (fcntl(2) `F_SETLEASE`, `F_RDLCK`) is refused with EAGAIN exactly while some
    /// descriptor has the file open for writing, so it asks the kernel whether a writer can be at
    /// work. If none is, any write the reading met has finished since; it cannot have finished
    /// without growing the file unless it was already whole, so an unchanged identity means the
    /// reading is whole. A file writers closed before the read (every save) costs one `fcntl`.
    /// Leases are for the file's owner (or CAP_LEASE) and not on every file system; otherwise the
    /// reading is doubted until the mtime is a second old, what a stalled writer may take on a
    /// loaded machine.
    private static func mayBeTorn(_ content: FileContent, _ fd: Int32) throws(FileReadError) -> Bool {
        guard content.endsAtPageBoundary else { return false }
        leaseSignalIgnored
        if fcntl(fd, setLease, readLease) == 0 {
            _ = fcntl(fd, setLease, unlock)
            return try identity(fd) != content.identity
        }
        if errno == EAGAIN { return true }
        return modified(content.identity, within: .seconds(1))
    }

    /// Whether some descriptor has the file open for writing, as far as the kernel will say: true or
    /// false when a read lease could be asked for (fcntl(2) `F_SETLEASE`: refused with EAGAIN exactly
    /// while a writer holds the file), nil when it cannot be (a file of another user without
    /// CAP_LEASE, a file system without leases). The answer is for this instant only.
    static func heldForWriting(_ fd: Int32) -> Bool? {
        leaseSignalIgnored
        if fcntl(fd, setLease, readLease) == 0 {
            _ = fcntl(fd, setLease, unlock)
            return false
        }
        return errno == EAGAIN ? true : nil
    }

    /// A writer that opens the file while the lease is held (between the two fcntl calls) breaks
    /// it, and the kernel tells the holder with SIGIO (fcntl(2), "Leases"), whose default action
    /// ends the process: a build writing its artifacts would kill the server. The lease is given
    /// back at once anyway, so the signal is ignored, process-wide, before the first lease.
    private static let leaseSignalIgnored: Void = {
        _ = signal(SIGIO, SIG_IGN)
    }()

    /// `F_SETLEASE`, `F_RDLCK` and `F_UNLCK` (fcntl(2)); the first is defined under `_GNU_SOURCE`
    /// only, which Glibc's Swift overlay does not set.
    private static let setLease: Int32 = 1024
    private static let readLease: Int32 = 0
    private static let unlock: Int32 = 2

    /// Whether the file was modified less than `interval` ago, by its mtime.
    static func modified(_ identity: FileIdentity, within interval: Duration) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let age = Duration.seconds(Int64(now.tv_sec) - identity.modifiedSeconds)
            + .nanoseconds(Int64(now.tv_nsec) - identity.modifiedNanoseconds)
        return age < interval
    }

    /// The smallest page size Linux has; larger pages and folios are multiples of it.
    static let pageBoundary = 4096

    private static func identity(_ fd: Int32) throws(FileReadError) -> FileIdentity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileReadError.from(errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileReadError.notRegular }
        return FileIdentity(info)
    }

    /// Reads to EOF, never holding more than `limit + 1` bytes (one past the limit tells a file that
    /// is too large from one exactly at it). The buffer starts at the reported size plus one, at least
    /// ``firstReadSize``, and doubles, so a file whose size is wrong is still read whole.
    private static func readBytes(_ fd: Int32, limit: Int, sizeHint: Int) throws(FileReadError) -> [UInt8] {
        guard sizeHint <= limit else { throw FileReadError.tooLarge(limit: limit) }
        var bytes = [UInt8](repeating: 0, count: min(limit, max(sizeHint, firstReadSize - 1)) + 1)
        var count = 0
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw FileReadError.from(errno: errno) }
        while true {
            if count == bytes.count {
                guard count <= limit else { throw FileReadError.tooLarge(limit: limit) }
                bytes.append(contentsOf: repeatElement(0, count: min(count, limit + 1 - count)))
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

import Glibc

/// Opens a watched file for reading by walking its path one component at a time, so that every
/// symlink on the way is checked against the stream's ``SymlinkPolicy`` and what is opened is
/// exactly what was checked.
///
/// Whoever can write in a watched folder could otherwise point the watched name at any file the
/// server may read. With `same-owner` a link is followed only when it and what it leads to have
/// the same owner (nginx's `disable_symlinks if_not_owner`): `lstat` owner of the link against the
/// owner of the object its text resolves to, for every link of the chain.
///
/// Every step is relative to a descriptor already held (`openat` with `O_PATH | O_NOFOLLOW`), and
/// a link's text is read from the very inode whose owner was checked (`readlinkat` on its `O_PATH`
/// descriptor; a symlink's text never changes, a swap is a new inode), so a link swapped between
/// the check and the open cannot redirect the read. The final file is opened for reading only if
/// it is a regular file (a FIFO or a device is never opened), and its device and inode must match
/// the checked ones.
enum SymlinkWalk {
    /// As in the kernel's path walk (path_resolution(7)), a chain this long is a loop.
    static let maximumLinks = 40
    /// `O_PATH` (open(2): a descriptor that names an inode without opening it), which Glibc's
    /// Swift overlay does not export: it is defined under `_GNU_SOURCE` only.
    private static let openPathOnly: Int32 = 0o10000000

    /// A link met on the way, waiting for the object its text leads to.
    private struct PendingCheck {
        let owner: uid_t
        /// The link's path as configured, when it is a component of the watched path itself; nil for
        /// a link met inside another link's text, whose path must not be shown.
        let configuredPath: String?
        /// The number of components left once the link's text has been walked.
        let resumesAt: Int
    }

    private struct Component {
        let name: String
        let configuredPath: String?
    }

    /// An open descriptor for `path`'s regular file, ready for `read(2)`; the caller closes it.
    static func open(_ path: String, policy: SymlinkPolicy) throws(FileReadError) -> Int32 {
        var pending: [Component] = []
        var prefix = ""
        for name in PathText.normalize(path).split(separator: "/").map(String.init) {
            prefix += "/" + name
            pending.append(Component(name: name, configuredPath: prefix))
        }
        pending.reverse()
        var directories: [Int32] = [try openPath("/", relativeTo: AT_FDCWD)]
        defer { directories.forEach { _ = close($0) } }
        var checks: [PendingCheck] = []
        var links = 0
        /// After each step, the links whose text has been walked are checked against where it led.
        func settle(at object: stat) throws(FileReadError) {
            while let check = checks.last, check.resumesAt == pending.count {
                checks.removeLast()
                guard policy == .follow || check.owner == object.st_uid else {
                    throw FileReadError.refusedLink(configuredPath: check.configuredPath, linkOwner: check.owner, targetOwner: object.st_uid)
                }
            }
        }

        while let component = pending.popLast() {
            switch component.name {
            case ".":
                try settle(at: try status(directories.last!))
                continue
            case "..":
                if directories.count > 1 { close(directories.removeLast()) }
                try settle(at: try status(directories.last!))
                continue
            default: break
            }
            let fd = try openPath(component.name, relativeTo: directories.last!)
            let info: stat
            do { info = try status(fd) } catch { close(fd); throw error }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                defer { close(fd) }
                links += 1
                guard links <= maximumLinks else { throw FileReadError.from(errno: ELOOP) }
                let text = try linkText(fd)
                checks.append(PendingCheck(owner: info.st_uid, configuredPath: component.configuredPath, resumesAt: pending.count))
                if text.hasPrefix("/") {
                    directories[1...].forEach { _ = close($0) }
                    directories.removeSubrange(1...)
                }
                pending += text.split(separator: "/").map { Component(name: String($0), configuredPath: nil) }.reversed()
                if pending.count == checks.last!.resumesAt {
                    // A link to "/" (its text is only slashes): it leads to the current folder.
                    try settle(at: try status(directories.last!))
                }
            case S_IFDIR:
                directories.append(fd)
                try settle(at: info)
                if pending.isEmpty { throw FileReadError.notRegular }
            default:
                defer { close(fd) }
                // Something other than a folder with more to walk: as ENOTDIR, nothing is there.
                guard pending.isEmpty else { throw FileReadError.from(errno: ENOTDIR) }
                try settle(at: info)
                guard info.st_mode & S_IFMT == S_IFREG else { throw FileReadError.notRegular }
                return try openForReading(component.name, in: directories.last!, checked: info)
            }
        }
        // The path ends in a folder ("/", or a link to a folder).
        throw FileReadError.notRegular
    }

    private static func openPath(_ name: String, relativeTo directory: Int32) throws(FileReadError) -> Int32 {
        let fd = openat(directory, name, openPathOnly | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError.from(errno: errno) }
        return fd
    }

    /// Opens the checked regular file for reading; O_NONBLOCK and O_NOFOLLOW so that whatever was
    /// swapped in since the check neither blocks nor redirects, and the identity check catches it.
    private static func openForReading(_ name: String, in directory: Int32, checked: stat) throws(FileReadError) -> Int32 {
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            // ELOOP: a symlink was swapped in after the check; the file is changing under us.
            throw errno == ELOOP ? FileReadError.changing : FileReadError.from(errno: errno)
        }
        let opened: stat
        do { opened = try status(fd) } catch { close(fd); throw error }
        guard opened.st_dev == checked.st_dev && opened.st_ino == checked.st_ino else {
            close(fd)
            throw FileReadError.changing
        }
        return fd
    }

    private static func status(_ fd: Int32) throws(FileReadError) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileReadError.from(errno: errno) }
        return info
    }

    /// The text of the symlink `fd` was opened on (`O_PATH | O_NOFOLLOW`): readlinkat(2) with an
    /// empty path reads that very link.
    private static func linkText(_ fd: Int32) throws(FileReadError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let count = readlinkat(fd, "", &buffer, buffer.count)
        guard count >= 0 else { throw FileReadError.from(errno: errno) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import Glibc

/// What tells one version of a file from another without reading it: device, inode, size, mtime
/// and ctime, to the nanosecond.
///
/// A rename over the file changes the inode; an in-place write changes size or mtime. ctime
/// catches what keeps both: a writer that sets the mtime back (`touch -d`, `rsync -t`), and a
/// `chmod` that makes an unreadable file readable again (stat(2): ctime changes with the inode's
/// metadata). This is what the watcher compares after re-resolving a symlink chain, where no event
/// names the file, when it polls, and in its reconciliation.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64
    public var changedSeconds: Int64
    public var changedNanoseconds: Int64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        changedSeconds = Int64(info.st_ctim.tv_sec)
        changedNanoseconds = Int64(info.st_ctim.tv_nsec)
    }

    /// The identity of what `path` names now, following symlinks; nil when nothing is there.
    public static func current(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(info)
    }

    /// Whether `path` names a directory now, following symlinks.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

import Glibc

extension Inotify {
    /// What a watch on an open log asks for: its growth (and truncation), whatever its name now.
    static let fileMask = UInt32(IN_MODIFY)

    /// Watches the file behind an open descriptor, through `/proc/self/fd/N`: the inode itself, so
    /// a log renamed out of its folder (or deleted while a writer holds it) is still seen to grow.
    func addWatch(descriptor fd: Int32) throws(SystemError) -> Int32 {
        if let unavailable { throw unavailable }
        let wd = inotify_add_watch(descriptor, "/proc/self/fd/\(fd)", Self.fileMask)
        guard wd >= 0 else { throw SystemError(call: "inotify_add_watch /proc/self/fd/\(fd)", code: errno) }
        return wd
    }
}

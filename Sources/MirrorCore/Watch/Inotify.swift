import Glibc

/// The inotify instance (inotify(7)) and a pipe to wake the watcher thread, wrapped so no C
/// type leaks out and both descriptors are closed on deinit.
final class Inotify {
    /// What every directory watch asks for. The watch is on the parent directory, never on the file:
    /// a watch on the file's inode dies with the inode when an editor renames a new file over it.
    /// IN_ATTRIB is the one event of a `chmod` (inotify(7)), so a file that becomes readable again
    /// (or unreadable) is looked at; `touch` sends it too.
    static let directoryMask: UInt32 =
        UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB
            | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    let descriptor: Int32
    /// The pipe's read and write ends.
    private let wakeDescriptor: Int32
    private let wakeWriteDescriptor: Int32
    /// One read takes whole events only; 64 KiB holds hundreds of them.
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    struct SystemError: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    /// Why there is no inotify instance (the per-user limit of instances, say); watches then fail
    /// and the watcher polls. -1 in `descriptor` is ignored by poll(2), so waiting still works.
    let unavailable: SystemError?

    /// - Parameter enabled: false leaves inotify out, so every watch fails and the caller polls.
    init(enabled: Bool = true) throws(SystemError) {
        let fd = enabled ? inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) : -1
        unavailable = fd >= 0 ? nil : SystemError(call: enabled ? "inotify_init1" : "inotify (disabled)", code: enabled ? errno : ENOSYS)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            let code = errno
            if fd >= 0 { close(fd) }
            throw SystemError(call: "pipe", code: code)
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        descriptor = fd
        wakeDescriptor = ends[0]
        wakeWriteDescriptor = ends[1]
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        close(wakeDescriptor)
        close(wakeWriteDescriptor)
    }

    /// What a folder of a watched tree asks for: ``directoryMask`` (whose IN_ATTRIB matters here
    /// too: `touch` moves a file's mtime without writing it), never following a symlink put in the
    /// folder's place.
    static let treeMask: UInt32 = directoryMask | dontFollow

    /// `IN_DONTFOLLOW` (inotify(7)), which Glibc's Swift overlay does not import.
    static let dontFollow: UInt32 = 0x0200_0000

    func addWatch(directory: String, mask: UInt32 = directoryMask) throws(SystemError) -> Int32 {
        if let unavailable { throw unavailable }
        let wd = inotify_add_watch(descriptor, directory, mask)
        guard wd >= 0 else { throw SystemError(call: "inotify_add_watch \(directory)", code: errno) }
        return wd
    }

    func removeWatch(_ wd: Int32) {
        _ = inotify_rm_watch(descriptor, wd)
    }

    /// Makes a `wait` in progress on another thread return.
    func wake() {
        var one: UInt8 = 1
        _ = write(wakeWriteDescriptor, &one, 1)
    }

    enum Wakeup { case events, woken, timeout }

    /// Blocks until inotify has events, `wake()` was called, or the timeout passes (nil: no timeout).
    func wait(timeoutMilliseconds: Int?) -> Set<Wakeup> {
        var fds = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        let result = poll(&fds, 2, Int32(clamping: timeoutMilliseconds ?? -1))
        guard result > 0 else { return [.timeout] }
        var wakeups: Set<Wakeup> = []
        if fds[0].revents != 0 { wakeups.insert(.events) }
        if fds[1].revents != 0 {
            var drain = [UInt8](repeating: 0, count: 64)
            _ = read(wakeDescriptor, &drain, drain.count)
            wakeups.insert(.woken)
        }
        return wakeups
    }

    /// Reads the events queued now, without blocking.
    func readEvents() -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        guard descriptor >= 0 else { return events }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { return events }
            events += buffer.withUnsafeBytes { InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
    }
}

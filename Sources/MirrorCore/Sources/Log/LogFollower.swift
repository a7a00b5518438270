/// A file of a followed log, by what names it in the kernel: a rotation gives the name a new inode.
struct LogFileKey: Hashable, Sendable, CustomStringConvertible {
    var device: UInt64
    var inode: UInt64

    var description: String { "\(device):\(inode)" }
}

/// The rotation and truncation decisions for one followed log, as a value with injected instants,
/// so every case is tested without files or sleeping.
///
/// It keeps the files the log is made of, oldest first. The newest is the one the name names (unless
/// the name is missing); older ones were renamed or deleted but stay open, because a writer reopens
/// its log late (logrotate `create` renames, then signals the writer) and lines go on arriving in
/// the old file meanwhile. Only the oldest file's lines are published; the others are read as they
/// grow but held back, so that every line goes out exactly once and in order. The oldest file is
/// retired once a newer one exists and it has been quiet (no growth, not rotated) for `quiet`; then
/// the next file's held lines go out.
///
/// A file whose size falls below what was read of it was truncated (`copytruncate`, `: > log`):
/// reading restarts at 0. What the file held beyond the read offset at the largest size seen before
/// is reported as lost (logrotate loses what is written between its copy and its truncate).
struct LogFollower<Instant: InstantProtocol> where Instant.Duration == Duration {
    struct File: Equatable {
        let key: LogFileKey
        /// How far the file has been read.
        var offset: Int64
        /// The largest size seen, for what a truncation lost.
        var largestSize: Int64
        /// The last growth, rotation or truncation.
        var lastActivity: Instant
    }

    /// What to do about a file whose size was just seen.
    enum Step: Equatable {
        /// Nothing new.
        case idle
        /// Read from this offset.
        case read(from: Int64)
        /// The file was truncated: publish that (for `lost` bytes never read), then read from 0.
        case truncated(lost: Int64)
    }

    let quiet: Duration
    /// Oldest first; only the first one is published.
    private(set) var files: [File] = []
    /// Whether the name names the newest file.
    private(set) var named = false

    init(quiet: Duration) {
        self.quiet = quiet
    }

    /// The file the name names now, read from `offset` on (the first look: the end of the last
    /// lines, or 0 for a file that appeared after the start).
    mutating func adopt(_ key: LogFileKey, offset: Int64, size: Int64, at now: Instant) {
        if named, let last = files.indices.last { files[last].lastActivity = now }
        files.append(File(key: key, offset: offset, largestSize: size, lastActivity: now))
        named = true
    }

    /// The name names `key` now (nil: nothing). Returns true when that is a file to open and
    /// ``adopt(_:offset:size:at:)`` (a rotation, or the first file after the name was missing).
    mutating func nameNames(_ key: LogFileKey?, at now: Instant) -> Bool {
        guard let key else {
            if named, let last = files.indices.last {
                // Renamed away or deleted: it drains until a successor exists and it is quiet.
                files[last].lastActivity = now
            }
            named = false
            return false
        }
        if named && files.last?.key == key { return false }
        // A name that comes back to a file still held (renamed away and back) is that file again.
        if let index = files.firstIndex(where: { $0.key == key }) {
            named = index == files.count - 1
            return false
        }
        if named, let last = files.indices.last { files[last].lastActivity = now }
        named = false
        return true
    }

    /// Whether the file's lines are held back (an older file is still being drained).
    func isHeld(_ key: LogFileKey) -> Bool {
        files.first?.key != key
    }

    func offset(of key: LogFileKey) -> Int64? {
        files.first(where: { $0.key == key })?.offset
    }

    /// The file's size, by fstat: what to do next.
    mutating func saw(size: Int64, of key: LogFileKey, at now: Instant) -> Step {
        guard let index = files.firstIndex(where: { $0.key == key }) else { return .idle }
        var file = files[index]
        defer { files[index] = file }
        if size < file.offset {
            let lost = max(0, file.largestSize - file.offset)
            file.offset = 0
            file.largestSize = size
            file.lastActivity = now
            return .truncated(lost: lost)
        }
        file.largestSize = max(file.largestSize, size)
        return size > file.offset ? .read(from: file.offset) : .idle
    }

    /// `count` bytes were read from the file's offset.
    mutating func read(_ count: Int, of key: LogFileKey, at now: Instant) {
        guard count > 0, let index = files.firstIndex(where: { $0.key == key }) else { return }
        files[index].offset += Int64(count)
        files[index].largestSize = max(files[index].largestSize, files[index].offset)
        files[index].lastActivity = now
    }

    /// The oldest file, if it is done: a newer one exists and it has been quiet for `quiet`. The
    /// caller reads it to its end once more (any growth makes it wait again), hands on its last
    /// fragment, closes it and calls ``retire(_:)``.
    func retirable(at now: Instant) -> LogFileKey? {
        guard files.count > 1, let first = files.first, now >= first.lastActivity.advanced(by: quiet) else { return nil }
        return first.key
    }

    /// Forgets the oldest file; the next one's held lines go out now.
    mutating func retire(_ key: LogFileKey) {
        guard files.first?.key == key else { return }
        files.removeFirst()
    }

    /// When the oldest file may be retired, if a newer one waits.
    var deadline: Instant? {
        guard files.count > 1, let first = files.first else { return nil }
        return first.lastActivity.advanced(by: quiet)
    }
}

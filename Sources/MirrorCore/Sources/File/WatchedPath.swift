/// One file a ``FileWatcher`` watches, and how: what a file stream's config says of its path.
struct WatchedPath: Sendable {
    /// Absolute.
    var path: String
    /// The largest file read, in bytes; a larger one fails to read (every buffer is bounded).
    var readLimit: Int
    /// Which symlinks to follow on the way to the file.
    var symlinks: SymlinkPolicy = .sameOwner
    /// inotify (with the polling fallback) or polling, and the poll interval.
    var policy = WatchPolicy()
    /// Where the mode in force is recorded, for `/healthz`.
    var status = WatchStatus()
}

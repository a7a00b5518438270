/// `watch_mode:`, how a file or line stream learns that its file changed.
public enum WatchMode: String, Sendable, Equatable, CaseIterable {
    /// inotify(7), falling back to polling by itself where inotify cannot serve (no instance, a
    /// watch refused).
    case inotify
    /// stat(2) every `poll_interval`, no inotify at all: for filesystems that deliver no events
    /// for changes made elsewhere (NFS, FUSE, an overlay's lower layer), which cannot all be detected.
    case poll
}

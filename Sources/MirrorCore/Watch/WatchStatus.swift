import Logging
import Synchronization

/// The way a stream learns of changes right now, readable from any thread (for a health report)
/// while the source's thread changes it.
public final class WatchStatus: Sendable {
    public enum Mode: Sendable, Equatable, CustomStringConvertible {
        case inotify
        /// Stat'ed every `poll_interval`; the reason is `watch_mode: poll` or the system error that
        /// kept inotify from serving (`inotify_init1: Too many open files`, say).
        case polling(reason: String)

        public var description: String {
            switch self {
            case .inotify: return "inotify"
            case .polling(let reason): return "polling (\(reason))"
            }
        }

        public var isPolling: Bool { self != .inotify }
    }

    private let mode = Mutex<Mode>(.inotify)

    public init() {}

    public var current: Mode { mode.withLock { $0 } }

    /// Records the mode in force for `path`, logging only a change: a fallback is a warning once,
    /// not one per poll, and inotify serving again is said once too.
    func record(_ new: Mode, path: String, logger: Logger) {
        let old = mode.withLock { mode in
            defer { mode = new }
            return mode
        }
        guard old != new else { return }
        switch new {
        case .polling(let reason):
            logger.warning("inotify cannot serve this file; polling it instead", metadata: ["watch.path": "\(path)", "reason": "\(reason)"])
        case .inotify:
            logger.notice("inotify serves this file again; polling stopped", metadata: ["watch.path": "\(path)"])
        }
    }
}

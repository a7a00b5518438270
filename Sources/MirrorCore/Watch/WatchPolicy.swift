/// How one stream is watched, as configured (`watch_mode`, `poll_interval`).
public struct WatchPolicy: Sendable, Equatable {
    public var mode: WatchMode
    /// How often the stream's file is stat'ed when it is polled, by `watch_mode: poll` or because
    /// inotify could not serve it.
    public var pollInterval: Duration

    public static let defaultPollInterval: Duration = .seconds(1)
    /// Shorter is a busy loop of stat calls rather than a watch.
    public static let minimumPollInterval: Duration = .milliseconds(10)
    /// Longer is more likely a typo than a wish: an hour between looks is no mirror.
    public static let maximumPollInterval: Duration = .seconds(3600)

    public init(mode: WatchMode = .inotify, pollInterval: Duration = Self.defaultPollInterval) {
        self.mode = mode
        self.pollInterval = pollInterval
    }
}

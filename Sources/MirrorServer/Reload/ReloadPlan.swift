public import MirrorCore

/// What a reload keeps, starts and retires, decided from the running config and the new one alone.
///
/// A stream whose entry is unchanged keeps its hub, and with it its clients, its history and the
/// ids they resume from. A stream that is new, or changed in any way (its file, its format, its
/// rules), starts anew: its old clients are ended cleanly and reconnect to the new one, whose
/// first event is the whole state. A stream no longer in the config is retired the same way.
public struct ReloadPlan: Sendable, Equatable {
    /// Paths of streams served on as they are.
    public var kept: [String] = []
    /// Streams to start (new or changed), in config order.
    public var started: [StreamConfig] = []
    /// Paths of running streams to end (removed or changed).
    public var retired: [String] = []
    /// Settings that changed but hold only from the next start: the listening socket is bound
    /// once, and the server-wide limits are set on it and on every connection's pipeline.
    public var needsRestart: [String] = []

    public init(from old: MirrorConfig, to new: MirrorConfig) {
        let running = Dictionary(uniqueKeysWithValues: old.streams.map { ($0.path, $0) })
        let wanted = Set(new.streams.map(\.path))
        for stream in new.streams {
            if running[stream.path] == stream {
                kept.append(stream.path)
            } else {
                started.append(stream)
                if running[stream.path] != nil { retired.append(stream.path) }
            }
        }
        retired += old.streams.map(\.path).filter { !wanted.contains($0) }
        if old.listen != new.listen { needsRestart.append("listen") }
        if old.limits != new.limits { needsRestart.append("limits") }
        if old.tls != new.tls { needsRestart.append("tls") }
    }
}

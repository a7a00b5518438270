/// `publish:`, global and per stream: where each stream's states are posted besides its own
/// subscribers (README.md, "Scaling out"). Kept apart from the streams' own settings, like
/// ``AccessConfig``, so a reload that changes only where a stream publishes keeps its hub and
/// its clients; the sinks are rearranged instead.
public struct PublishConfig: Sendable, Equatable {
    /// The global `publish: {nchan: URL}`; nil: streams without their own do not publish.
    public var global: PublishTarget?
    /// A stream's own target, which replaces the global one for it.
    public var streamTargets: [String: PublishTarget] = [:]
    /// Streams that opt out of the global target (`publish: null` or `publish: {}`).
    public var optedOut: Set<String> = []

    public init() {}

    /// Where `path` publishes, or nil when it does not.
    public func target(forStream path: String) -> PublishTarget? {
        if optedOut.contains(path) { return nil }
        return streamTargets[path] ?? global
    }
}

public import MirrorCore

/// What ``ConfigReloader`` reloads: the running server (``MirrorInstance``), named by what it does
/// so that reloading reads one way, from the config file towards what serves it.
public protocol Reloadable: Sendable {
    /// Applies a loaded and checked config; calls never overlap.
    @discardableResult
    func reload(to config: MirrorConfig) async throws -> ReloadPlan
}

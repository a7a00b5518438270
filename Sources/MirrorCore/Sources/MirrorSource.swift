/// One kind of watched thing, as the engine drives it: a file (``FileWatcher``), a growing log or a
/// directory tree. Each kind has its own read strategy and hands what it reads to the stream's
/// pipeline (document → transform → diff → event → history and hub); the engine only starts and
/// stops them.
public protocol MirrorSource: AnyObject, Sendable {
    /// Sets up the watches and reads once, so every stream of the source has its first state on return.
    func start()
    /// Stops watching and waits for work in progress to be published.
    func stop()
}

extension MirrorEngine {
    /// Every kind of source the engine runs, one factory each: a new kind registers here.
    static let sourceFactories: [any SourceFactory] = [
        FileSourceFactory(),
        LogSourceFactory(),
        TreeSourceFactory(),
    ]
}

/// How the engine builds the source of one kind: the streams of that kind, in config order, →
/// one source that watches them all, and the streams it feeds. Each kind registers one
/// (``MirrorEngine/sourceFactories``), so the engine names no kind.
protocol SourceFactory: Sendable {
    /// The streams this factory builds (``StreamConfig/source``).
    var kind: SourceKind { get }
    /// One source for `streams` (never empty); the engine starts and stops it.
    func makeSource(for streams: [StreamConfig], in context: SourceContext) throws -> BuiltSource
}

/// Growing logs (`format: lines`): one ``LineSource`` for every line stream, which reads, splits
/// and publishes on its own thread.
struct LogSourceFactory: SourceFactory {
    /// How long the old file of a rotated log must be quiet before the new file's lines go out
    /// (see ``LogFollower``).
    var quiet: Duration = .seconds(1)

    var kind: SourceKind { .lines }

    func makeSource(for configs: [StreamConfig], in context: SourceContext) throws -> BuiltSource {
        let streams = configs.map { LineStream(context.basis(for: $0)) }
        let source = try LineSource(streams: streams, timing: context.timing, quiet: quiet, logger: context.logger)
        return BuiltSource(source: source, streams: streams)
    }
}

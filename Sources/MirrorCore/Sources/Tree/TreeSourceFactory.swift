/// Directory trees and globs: one ``TreeSource`` for every tree stream; its looks and hashing run
/// on the workers.
struct TreeSourceFactory: SourceFactory {
    var kind: SourceKind { .tree }

    func makeSource(for configs: [StreamConfig], in context: SourceContext) throws -> BuiltSource {
        let streams = configs.map { TreeStream(context.basis(for: $0)) }
        let source = try TreeSource(streams: streams, timing: context.timing, logger: context.logger, executor: context.executor)
        return BuiltSource(source: source, streams: streams)
    }
}

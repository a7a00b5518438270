/// Single files (`format: json | yaml | text`): one ``FileWatcher`` for every file stream, its
/// reads and what follows them (parse, diff, encode, publish) on the workers.
struct FileSourceFactory: SourceFactory {
    /// From this size (at the last read) a file's work runs on the niced pool, so parsing and
    /// diffing 50 MB yields to the event loops and to small streams' changes.
    static let bigDocument = 1 << 20

    var kind: SourceKind { .file }

    func makeSource(for configs: [StreamConfig], in context: SourceContext) throws -> BuiltSource {
        let streams = configs.map { FileStream(context.basis(for: $0)) }
        let executor = context.executor
        let watcher = try FileWatcher(
            files: streams.map {
                WatchedPath(
                    path: $0.config.watchPath, readLimit: $0.config.maxSize, symlinks: $0.config.symlinks,
                    policy: $0.config.watching, status: $0.watchStatus
                )
            },
            timing: context.timing,
            logger: context.logger,
            executor: { sizeHint, job in executor((sizeHint ?? 0) >= Self.bigDocument, job) }
        ) { index, result, read in
            streams[index].ingest(result, read: read)
        }
        return BuiltSource(source: watcher, streams: streams)
    }
}

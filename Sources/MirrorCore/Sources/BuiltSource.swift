/// What a ``SourceFactory`` built: the source the engine starts and stops, and the streams it
/// feeds, whose hubs the server subscribes to and whose watch status `/healthz` reads.
struct BuiltSource {
    let source: any MirrorSource
    let streams: [any SourceStream]
}

import Logging
import MirrorCore
import MirrorServer
import NIOPosix
import MirrorDocument

extension MirrorFixture {
    /// A server with one line stream, `/log`, following `app.log` in a fresh folder.
    static func startLines(
        files: [String: String] = [:],
        lines: LineOptions = LineOptions(),
        maxSize: Int = StreamConfig.defaultMaxSize,
        history: HistoryLimits = HistoryLimits(),
        transform: Transform = Transform(),
        prepare: (TemporaryDirectory) throws -> Void = { _ in }
    ) async throws -> MirrorFixture {
        let directory = try TemporaryDirectory()
        for (name, content) in files { try directory.write(name, content) }
        try prepare(directory)
        var stream = StreamConfig(
            path: "/log",
            watch: "app.log",
            watchPath: directory.path + "/app.log",
            format: .lines,
            source: .lines,
            maxSize: maxSize,
            history: history
        )
        stream.lines = lines
        stream.transform = transform
        let config = MirrorConfig(
            listen: ListenAddress(host: "127.0.0.1", port: 0),
            heartbeat: nil,
            streams: [stream],
            file: directory.url("mirror.yaml"),
            baseDirectory: directory.path
        )
        return try await serve(config, in: directory)
    }
}

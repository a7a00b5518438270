/// The whole of a mirror.yaml, typed and checked.
public struct MirrorConfig: Sendable, Equatable {
    /// Where the server listens; `127.0.0.1:8080` unless the file or `--listen` says otherwise.
    public var listen: ListenAddress
    /// How often an idle stream gets an SSE comment line, so proxies do not close it; nil turns heartbeats off.
    public var heartbeat: Duration?
    public var streams: [StreamConfig]
    /// Host names accepted in a request's `Host` besides the loopback names and the listen address
    /// (`hosts:`, for a proxy's public name); anything else is refused as a possible DNS rebinding.
    public var hosts: [String]
    /// The path of the config file itself, as given.
    public var file: String
    /// The folder relative `watch` paths are read against: the config file's real folder (realpath(3)).
    public var baseDirectory: String

    public static let defaultListen = ListenAddress(host: "127.0.0.1", port: 8080)
    public static let defaultHeartbeat: Duration = .seconds(15)

    public init(
        listen: ListenAddress = Self.defaultListen,
        heartbeat: Duration? = Self.defaultHeartbeat,
        streams: [StreamConfig],
        hosts: [String] = [],
        file: String,
        baseDirectory: String
    ) {
        self.listen = listen
        self.heartbeat = heartbeat
        self.streams = streams
        self.hosts = hosts
        self.file = file
        self.baseDirectory = baseDirectory
    }
}

/// One `streams:` entry: a URL path served as an SSE endpoint, mirroring one watched file.
public struct StreamConfig: Sendable, Equatable {
    public var path: String
    /// The `watch` value exactly as written, which is what events and logs show.
    public var watch: String
    /// `watch` made absolute against the config file's real folder, then normalized lexically (symlinks
    /// on the way to the file are followed by the watcher).
    public var watchPath: String
    public var format: DocumentFormat
    /// Whether a symlink on the way to the watched file is followed (`symlinks:`, per stream or global).
    public var symlinks: SymlinkPolicy

    public init(path: String, watch: String, watchPath: String, format: DocumentFormat, symlinks: SymlinkPolicy = .sameOwner) {
        self.path = path
        self.watch = watch
        self.watchPath = watchPath
        self.format = format
        self.symlinks = symlinks
    }
}

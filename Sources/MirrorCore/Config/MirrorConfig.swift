public import MirrorDocument

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
    /// `auth:` and `cors:`, global and per stream.
    public var access = AccessConfig()
    /// `limits:`, the bounds on clients (buffer, write timeout, count, TCP keepalive).
    public var limits = ClientLimits()
    /// `tls:`: answer HTTPS with these files; nil: plain HTTP.
    public var tls: TLSFiles?
    /// `publish:`, global and per stream: where streams post their states besides their own clients.
    public var publish = PublishConfig()
    /// The path of the config file itself, as given.
    public var file: String
    /// The folder relative `watch` paths are read against: the config file's real folder (realpath(3)).
    public var baseDirectory: String
    /// What is allowed but likely a mistake (`cors: {origins: ['*']}` with open streams); `check`
    /// prints these, the server logs them at each load.
    public var warnings: [ConfigWarning] = []

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

/// One `streams:` entry: a URL path served as an SSE endpoint, mirroring one watched file, log or tree.
public struct StreamConfig: Sendable, Equatable {
    public var path: String
    /// The `watch` value exactly as written, which is what events and logs show.
    public var watch: String
    /// `watch` made absolute against the config file's real folder, then normalized lexically (symlinks
    /// on the way to the file are followed by the watcher).
    public var watchPath: String
    public var format: DocumentFormat
    /// A single file, a growing log or a directory tree (decided from `watch` and `format`).
    public var source: SourceKind
    /// Whether a symlink on the way to the watched file is followed (`symlinks:`, per stream or global).
    public var symlinks: SymlinkPolicy
    /// `watch_mode`, `poll_interval` (per stream or global): inotify or polling (file and line streams).
    public var watching = WatchPolicy()
    /// What a change after the first sends: the whole document, an RFC 6902 patch or an RFC 7396 merge patch.
    public var emit: EmitMode
    /// The largest file the stream reads (`max_size`); a larger one is `invalid`, never read whole.
    public var maxSize: Int
    /// `array_key`: the object member that identifies array elements, so a reorder is a `move`, not replaces.
    public var arrayKey: String?
    /// `patch_ratio`: a patch larger than this times the full document is sent as `changed` instead.
    public var patchRatio: Double
    /// `history`: how many recent events the stream keeps for clients that reconnect.
    public var history: HistoryLimits
    /// `max_clients`: the most event streams of this path open at once; nil is no bound but the global one.
    public var maxClients: Int?
    /// `transform`: the rules that turn each version of the file into what the stream publishes.
    public var transform = Transform()
    /// `tail`, `grep`, `exclude`, `parse`, `max_line`: what a line stream publishes (``SourceKind/lines`` only).
    public var lines = LineOptions()
    /// `ignore`, `hash`, `max_files`: what only a directory stream reads (``TreeOptions``).
    public var tree = TreeOptions()

    public static let defaultMaxSize = 64 << 20
    public static let defaultPatchRatio = 1.0

    public init(
        path: String,
        watch: String,
        watchPath: String,
        format: DocumentFormat,
        source: SourceKind = .file,
        symlinks: SymlinkPolicy = .sameOwner,
        emit: EmitMode = .snapshot,
        maxSize: Int = Self.defaultMaxSize,
        arrayKey: String? = nil,
        patchRatio: Double = Self.defaultPatchRatio,
        history: HistoryLimits = HistoryLimits()
    ) {
        self.path = path
        self.watch = watch
        self.watchPath = watchPath
        self.format = format
        self.source = source
        self.symlinks = symlinks
        self.emit = emit
        self.maxSize = maxSize
        self.arrayKey = arrayKey
        self.patchRatio = patchRatio
        self.history = history
    }
}

/// `emit:`, what a stream sends for a change once a client has the document (PROTOCOL.md).
public enum EmitMode: String, Sendable, Equatable, CaseIterable {
    /// `changed` with the whole document, every time.
    case snapshot
    /// `patch`: an RFC 6902 JSON Patch against the previous version.
    case patch
    /// `merge-patch`: an RFC 7396 JSON Merge Patch against the previous version.
    case mergePatch = "merge-patch"
}

/// `history: {events, bytes}`: the bounds on the recent events a stream keeps for resuming
/// clients. The current state is kept outside them, so any document reaches a new subscriber.
public struct HistoryLimits: Sendable, Equatable {
    public var events: Int
    public var bytes: Int

    public static let defaultEvents = 256
    public static let defaultBytes = 4 << 20

    public init(events: Int = Self.defaultEvents, bytes: Int = Self.defaultBytes) {
        self.events = events
        self.bytes = bytes
    }
}

import MirrorDocument

/// A schema error before the file name and snippet are attached.
struct SchemaError: Error {
    var mark: SourceMark
    var message: String
}

/// Walks the YAML tree and checks every key and value against the schema.
struct ConfigDecoder {
    let baseDirectory: String
    let file: String
    /// The source, for advice that needs the text as written (``ListenHint``).
    let lines: SourceLines
    /// Whether a `tokens_file` that cannot be read fails the load (at start) or revokes its tokens (a reload).
    var tokenFilePolicy: TokenFilePolicy = .required

    static let topLevelKeys = ["listen", "heartbeat", "hosts", "symlinks"] + watchKeys + ["auth", "cors", "limits", "tls", "publish", "streams"]
    /// Every key a stream entry may have: the common ones, then each group's own (kept beside the
    /// code that reads them).
    static let streamKeys = ["path", "watch", "format", "symlinks", "auth", "transform"] + watchKeys + streamOptionKeys + streamLimitKeys + lineKeys + treeKeys + streamPublishKeys

    /// A heartbeat keeps proxies from closing an idle stream, so it is seconds or minutes; a day is
    /// already far past any proxy's idle timeout, and longer is more likely a typo than a wish.
    static let maximumHeartbeat: Duration = .seconds(24 * 3600)

    mutating func decode(_ root: YAMLNode?) throws(SchemaError) -> MirrorConfig {
        guard let root else {
            throw SchemaError(mark: SourceMark(line: 1, column: 1), message: "the config is empty; it needs at least a 'streams:' list")
        }
        let entries = try mapping(root, what: "the config")
        try rejectUnknown(entries, allowed: Self.topLevelKeys, in: "the config")
        var config = MirrorConfig(streams: [], file: file, baseDirectory: baseDirectory)
        if let listen = entries.first(where: { $0.key == "listen" }) {
            if case .sequence = listen.value.kind, let hint = ListenHint(lines: lines, near: listen.value.mark) {
                throw SchemaError(mark: hint.mark, message: hint.message)
            }
            let text = try string(listen.value, what: "listen")
            do {
                config.listen = try ListenAddress(parsing: text)
            } catch {
                throw SchemaError(mark: listen.value.mark, message: "listen: \(error.message)")
            }
        }
        if let heartbeat = entries.first(where: { $0.key == "heartbeat" }) {
            let duration = try value(heartbeat.value, what: "heartbeat") { value throws(ValueError) in
                try DurationText.parse(value, maximum: Self.maximumHeartbeat)
            }
            config.heartbeat = duration == .zero ? nil : duration
        }
        if let hosts = entries.first(where: { $0.key == "hosts" }) {
            config.hosts = try decodeHosts(hosts.value)
        }
        if let auth = entries.first(where: { $0.key == "auth" }) {
            try decodeAuth(auth.value, into: &config.access)
        }
        var anyOrigin: SourceMark?
        if let cors = entries.first(where: { $0.key == "cors" }) {
            anyOrigin = try decodeCORS(cors.value, into: &config.access)
        }
        if let tls = entries.first(where: { $0.key == "tls" }) {
            config.tls = try decodeTLS(tls.value)
        }
        if let limits = entries.first(where: { $0.key == "limits" }) {
            config.limits = try decodeLimits(limits.value)
        }
        if let publish = entries.first(where: { $0.key == "publish" }) {
            try decodePublish(publish.value, into: &config.publish)
        }
        var symlinks = SymlinkPolicy.sameOwner
        if let entry = entries.first(where: { $0.key == "symlinks" }) {
            symlinks = try symlinkPolicy(entry.value)
        }
        let watching = try watchPolicy(entries, defaults: WatchPolicy())
        guard let streams = entries.first(where: { $0.key == "streams" }) else {
            throw SchemaError(mark: root.mark, message: "missing key 'streams': list the files to mirror")
        }
        guard case .sequence(let items) = streams.value.kind else {
            throw SchemaError(mark: streams.value.mark, message: "streams: expected a list of streams, got \(streams.value.summary)")
        }
        var seen: [String: SourceMark] = [:]
        for item in items {
            let stream = try decodeStream(item, symlinks: symlinks, watching: watching)
            if let first = seen[stream.config.path] {
                throw SchemaError(
                    mark: stream.pathMark,
                    message: "duplicate stream path '\(stream.config.path)' (first at line \(first.line), column \(first.column))"
                )
            }
            seen[stream.config.path] = stream.pathMark
            config.streams.append(stream.config)
            if case .mapping(let entries) = item.kind, let auth = entries.first(where: { $0.key == "auth" }) {
                try decodeStreamAuth(auth.value, path: stream.config.path, into: &config.access)
            }
            if case .mapping(let entries) = item.kind {
                try decodeStreamPublish(entries, path: stream.config.path, into: &config.publish)
            }
        }
        if let anyOrigin, let warning = anyOriginWarning(config, at: anyOrigin) { config.warnings.append(warning) }
        return config
    }

    /// `hosts:`, the names a request's `Host` may carry besides the defaults, in the form a `Host`
    /// header writes them (RFC 9110 §7.2, RFC 3986 §3.2.2): a host name or IPv4 address as is, an
    /// IPv6 address in brackets (`"[fe80::1]"`, quoted, as `[` starts a YAML list), no port, no
    /// scheme, no wildcard. Lowercased, as host names compare without case (RFC 4343).
    private func decodeHosts(_ node: YAMLNode) throws(SchemaError) -> [String] {
        guard case .sequence(let items) = node.kind else {
            throw SchemaError(mark: node.mark, message: "hosts: expected a list of host names, like [example.com], got \(node.summary)")
        }
        var hosts: [String] = []
        for item in items {
            let text = try string(item, what: "hosts")
            do {
                hosts.append(try HostText.checkHostHeaderName(text))
            } catch {
                throw SchemaError(mark: item.mark, message: "hosts: \(error.message)")
            }
        }
        return hosts
    }

    private func symlinkPolicy(_ node: YAMLNode) throws(SchemaError) -> SymlinkPolicy {
        try choice(node, what: "symlinks")
    }

    /// One of an enumeration's values, as written; any other is an error that lists them all.
    func choice<Choice: RawRepresentable & CaseIterable>(_ node: YAMLNode, what: String) throws(SchemaError) -> Choice
    where Choice.RawValue == String {
        let text = try string(node, what: what)
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw SchemaError(mark: node.mark, message: "\(what): unknown value '\(text)' (allowed: \(names))")
        }
        return value
    }

    private func decodeStream(_ node: YAMLNode, symlinks: SymlinkPolicy, watching: WatchPolicy) throws(SchemaError) -> (config: StreamConfig, pathMark: SourceMark) {
        let entries = try mapping(node, what: "a stream")
        try rejectUnknown(entries, allowed: Self.streamKeys, in: "a stream")
        guard let pathEntry = entries.first(where: { $0.key == "path" }) else {
            throw SchemaError(mark: node.mark, message: "a stream needs 'path', the URL path it is served on, like /config")
        }
        let path = try string(pathEntry.value, what: "path")
        do {
            try StreamPathRule.check(path)
        } catch {
            throw SchemaError(mark: pathEntry.value.mark, message: "path: \(error.message)")
        }
        guard let watchEntry = entries.first(where: { $0.key == "watch" }) else {
            throw SchemaError(mark: node.mark, message: "a stream needs 'watch', the file to mirror")
        }
        let watch = try string(watchEntry.value, what: "watch")
        guard !watch.isEmpty else {
            throw SchemaError(mark: watchEntry.value.mark, message: "watch: the file to mirror may not be empty")
        }
        guard !watch.utf8.contains(0) else {
            throw SchemaError(mark: watchEntry.value.mark, message: "watch: a path may not contain a NUL character")
        }
        let watchPath = PathText.normalize(watch.hasPrefix("/") ? watch : baseDirectory + "/" + watch)
        let (source, format) = try sourceAndFormat(entries, watch: watch, watchPath: watchPath, watchMark: watchEntry.value.mark)
        var symlinks = symlinks
        if let entry = entries.first(where: { $0.key == "symlinks" }) {
            symlinks = try symlinkPolicy(entry.value)
        }
        var config = StreamConfig(path: path, watch: watch, watchPath: watchPath, format: format, source: source, symlinks: symlinks)
        try decodeWatchOptions(entries, defaults: watching, into: &config)
        try decodeStreamOptions(entries, into: &config)
        try decodeStreamLimits(entries, into: &config)
        try decodeTransform(entries, into: &config)
        try decodeLineOptions(entries, into: &config)
        try decodeTreeOptions(entries, into: &config)
        return (config, pathEntry.value.mark)
    }

    /// The kind of source and the format, which decide each other: `format: lines` follows a log;
    /// a `watch` ending in `/`, holding a glob character or naming an existing folder is a tree
    /// (`manifest` unless the format says otherwise); anything else is one file.
    private func sourceAndFormat(
        _ entries: [YAMLMappingEntry], watch: String, watchPath: String, watchMark: SourceMark
    ) throws(SchemaError) -> (SourceKind, DocumentFormat) {
        let tree = SourceKind.implied(byWatch: watch) == .tree || FileIdentity.isDirectory(watchPath)
        guard let formatEntry = entries.first(where: { $0.key == "format" }) else {
            return tree ? (.tree, .manifest) : (.file, DocumentFormat.implied(byPath: watch))
        }
        let text = try string(formatEntry.value, what: "format")
        guard let format = DocumentFormat(rawValue: text) else {
            let names = DocumentFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw SchemaError(mark: formatEntry.value.mark, message: "format: unknown format '\(text)' (supported: \(names))")
        }
        switch (tree, format) {
        case (true, .lines):
            throw SchemaError(mark: formatEntry.value.mark, message: "format: lines follows one log file, and '\(watch)' is a folder or a pattern")
        case (false, .manifest):
            throw SchemaError(mark: formatEntry.value.mark, message: "format: manifest describes a folder; end 'watch' with '/' or use a pattern like 'build/**/*.tar.gz'")
        case (true, _): return (.tree, format)
        case (false, .lines): return (.lines, format)
        case (false, _): return (.file, format)
        }
    }

    func mapping(_ node: YAMLNode, what: String) throws(SchemaError) -> [YAMLMappingEntry] {
        guard case .mapping(let entries) = node.kind else {
            throw SchemaError(mark: node.mark, message: "\(what) must be a mapping of keys to values, got \(node.summary)")
        }
        return entries
    }

    func rejectUnknown(_ entries: [YAMLMappingEntry], allowed: [String], in what: String) throws(SchemaError) {
        for entry in entries where !allowed.contains(entry.key) {
            throw SchemaError(
                mark: entry.keyMark,
                message: "unknown key '\(entry.key)' in \(what) (allowed: \(allowed.joined(separator: ", ")))"
            )
        }
    }

    func string(_ node: YAMLNode, what: String) throws(SchemaError) -> String {
        guard case .scalar(let scalar) = node.kind, case .string(let text) = scalar.resolved else {
            throw SchemaError(mark: node.mark, message: "\(what): expected a string, got \(node.summary)")
        }
        return text
    }

    func value<T>(_ node: YAMLNode, what: String, _ parse: (YAMLValue) throws(ValueError) -> T) throws(SchemaError) -> T {
        guard case .scalar(let scalar) = node.kind else {
            throw SchemaError(mark: node.mark, message: "\(what): expected a scalar, got \(node.summary)")
        }
        do {
            return try parse(scalar.resolved)
        } catch {
            throw SchemaError(mark: node.mark, message: "\(what): \(error.message)")
        }
    }
}

import Glibc
import MirrorDocument

/// `auth:` and `cors:`. Tokens are never written in mirror.yaml: `auth` names an environment
/// variable (`tokens_env`, comma-separated tokens) or a file (`tokens_file`, one token a line,
/// `#` comments), read when the config is loaded or reloaded. No error message quotes a token.
extension ConfigDecoder {
    static let authKeys = ["tokens_env", "tokens_file", "public_ops"]
    static let streamAuthKeys = ["tokens_env", "tokens_file"]
    static let corsKeys = ["origins"]
    /// A token file is a few lines; a bigger one is a mistaken path.
    static let maximumTokenFileSize = 1 << 20

    func decodeAuth(_ node: YAMLNode, into access: inout AccessConfig) throws(SchemaError) {
        let entries = try mapping(node, what: "auth")
        try rejectUnknown(entries, allowed: Self.authKeys, in: "auth")
        if let entry = entries.first(where: { $0.key == "public_ops" }) {
            guard case .scalar(let scalar) = entry.value.kind, case .bool(let flag) = scalar.resolved else {
                throw SchemaError(mark: entry.value.mark, message: "public_ops: expected true or false, got \(entry.value.summary)")
            }
            access.publicOps = flag
        }
        let tokens = try decodeTokens(entries, what: "auth", into: &access)
        access.tokens = tokens
    }

    /// A stream's own `auth:`, whose tokens replace the global ones for it.
    func decodeStreamAuth(_ node: YAMLNode, path: String, into access: inout AccessConfig) throws(SchemaError) {
        let entries = try mapping(node, what: "auth")
        try rejectUnknown(entries, allowed: Self.streamAuthKeys, in: "a stream's auth")
        guard let own = try decodeTokens(entries, what: "auth", into: &access) else {
            throw SchemaError(mark: node.mark, message: "auth: needs 'tokens_env' or 'tokens_file', which name where this stream's tokens are")
        }
        access.streamTokens[path] = own
    }

    private func decodeTokens(_ entries: [YAMLMappingEntry], what: String, into access: inout AccessConfig) throws(SchemaError) -> AccessTokens? {
        let env = entries.first { $0.key == "tokens_env" }
        let file = entries.first { $0.key == "tokens_file" }
        if env != nil, let file {
            throw SchemaError(mark: file.keyMark, message: "\(what): use one of 'tokens_env' and 'tokens_file', not both")
        }
        if let file { return try fileTokens(file.value, what: what, into: &access) }
        guard let env else { return nil }
        let name = try string(env.value, what: "tokens_env")
        guard let value = getenv(name) else {
            throw SchemaError(mark: env.value.mark, message: "tokens_env: the environment variable '\(name)' is not set")
        }
        let tokens = String(cString: value).split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        return try checkedTokens(tokens, what: what, source: "the environment variable '\(name)'", at: env.value.mark)
    }

    /// `tokens_file`: one token a line, `#` comments. The file is followed by a reload whatever
    /// becomes of it; one that is gone, unreadable, empty or holds a line that is no bearer token
    /// fails the load, or, under ``TokenFilePolicy/revokeUnreadable``, opens nothing (an empty
    /// set, never nil: nil is "open").
    private func fileTokens(_ node: YAMLNode, what: String, into access: inout AccessConfig) throws(SchemaError) -> AccessTokens {
        let (written, path) = try namedPath(node, key: "tokens_file")
        access.tokenFiles.append(path)
        let revoking = tokenFilePolicy == .revokeUnreadable
        let bytes: [UInt8]
        do {
            bytes = try FileReader.readAll(path: path, limit: Self.maximumTokenFileSize)
        } catch where revoking && !error.isNoReading {
            // A shortage of descriptors or memory says nothing about the file: that load fails instead.
            return access.revoke(path, reason: "\(error)")
        } catch {
            throw SchemaError(mark: node.mark, message: "tokens_file: cannot read '\(written)': \(error)")
        }
        let tokens = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        do {
            return try checkedTokens(tokens, what: what, source: "'\(written)'", at: node.mark)
        } catch where revoking {
            // Emptied, or a line no client could send: the old tokens must not outlive the file's content.
            return access.revoke(path, reason: error.message)
        }
    }

    private func checkedTokens(_ tokens: [String], what: String, source: String, at mark: SourceMark) throws(SchemaError) -> AccessTokens {
        guard !tokens.isEmpty else {
            throw SchemaError(mark: mark, message: "\(what): \(source) holds no token")
        }
        if let bad = tokens.firstIndex(where: { !AccessTokens.isBearerToken($0) }) {
            throw SchemaError(
                mark: mark,
                message: "\(what): token \(bad + 1) in \(source) holds a character a bearer token cannot (RFC 6750: letters, digits, - . _ ~ + / and a trailing =)"
            )
        }
        return AccessTokens(tokens)
    }

    /// The file a key names (`tokens_file`, `tls.cert`), against the config's folder like `watch`:
    /// as written, and its absolute path.
    func namedPath(_ node: YAMLNode, key: String) throws(SchemaError) -> (written: String, path: String) {
        let written = try string(node, what: key)
        return (written, PathText.normalize(written.hasPrefix("/") ? written : baseDirectory + "/" + written))
    }

    /// The file a key names, read within `limit` bytes: as written, its absolute path, and its bytes.
    func readNamedFile(_ node: YAMLNode, key: String, limit: Int) throws(SchemaError) -> (written: String, path: String, bytes: [UInt8]) {
        let (written, path) = try namedPath(node, key: key)
        do {
            return (written, path, try FileReader.readAll(path: path, limit: limit))
        } catch {
            throw SchemaError(mark: node.mark, message: "\(key): cannot read '\(written)': \(error)")
        }
    }

    /// `cors: {origins: [...]}`: each an origin as a browser sends it in `Origin` (RFC 6454 §6.1),
    /// `scheme://host[:port]` with no path, or `*` alone. Returns where `*` is written, if it is.
    ///
    /// A wildcard inside an origin (`https://*.example.com`) is refused: an origin is compared
    /// whole with the page's (Fetch §3.2.5 has no patterns), so it would match no page at all.
    @discardableResult
    func decodeCORS(_ node: YAMLNode, into access: inout AccessConfig) throws(SchemaError) -> SourceMark? {
        let entries = try mapping(node, what: "cors")
        try rejectUnknown(entries, allowed: Self.corsKeys, in: "cors")
        guard let entry = entries.first(where: { $0.key == "origins" }) else {
            throw SchemaError(mark: node.mark, message: "cors: needs 'origins', the pages that may read the streams, like [\"https://dash.example.com\"]")
        }
        guard case .sequence(let items) = entry.value.kind else {
            throw SchemaError(mark: entry.value.mark, message: "origins: expected a list of origins, got \(entry.value.summary)")
        }
        var anyOrigin: SourceMark?
        for item in items {
            let text = try string(item, what: "origins")
            if text == "*" { anyOrigin = anyOrigin ?? item.mark }
            if text != "*" && text.contains("*") {
                throw SchemaError(
                    mark: item.mark,
                    message: "origins: '\(text)' holds a wildcard, which matches no page: a browser's Origin is compared whole, so list each origin, or write '*' alone for any page"
                )
            }
            guard let origin = Self.origin(text) else {
                throw SchemaError(
                    mark: item.mark,
                    message: "origins: '\(text)' is not an origin; write scheme://host[:port] as the browser's address bar shows it, with no path, or '*'"
                )
            }
            access.corsOrigins.append(origin)
        }
        return anyOrigin
    }

    /// `cors: {origins: ['*']}` lets any page the user opens read every stream that needs no
    /// token, through the user's own browser, which reaches a server on 127.0.0.1 as well (Fetch
    /// §3.2.5: `Access-Control-Allow-Origin: *`). Allowed, since a public stream may want that,
    /// but worth a warning naming the streams it opens.
    func anyOriginWarning(_ config: MirrorConfig, at mark: SourceMark) -> ConfigWarning? {
        let open = config.streams.map(\.path).filter { config.access.tokens(forStream: $0) == nil }
        guard !open.isEmpty else { return nil }
        let which = open.count == config.streams.count ? "every stream" : "the streams \(open.joined(separator: ", "))"
        return ConfigWarning(
            file: file,
            mark: mark,
            message: "cors: origins '*' without 'auth:' lets any web page the user opens read \(which), even on 127.0.0.1 (the user's browser reaches it); add 'auth:' or list the pages' origins",
            sourceLine: lines.text(ofLine: mark.line)
        )
    }

    /// The origin lowercased (scheme and host compare without case), or nil when it is not one.
    static func origin(_ text: String) -> String? {
        if text == "*" { return text }
        let lower = text.lowercased()
        guard let scheme = lower.range(of: "://"), ["http", "https"].contains(lower[..<scheme.lowerBound]) else { return nil }
        let authority = lower[scheme.upperBound...]
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@"), !authority.contains("?"), !authority.contains("#") else { return nil }
        return lower
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

import Glibc

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
        access.tokens = try decodeTokens(entries, at: node.mark, what: "auth", files: &access.tokenFiles)
    }

    /// A stream's own `auth:`, whose tokens replace the global ones for it.
    func decodeStreamAuth(_ node: YAMLNode, into tokens: inout AccessTokens?, files: inout [String]) throws(SchemaError) {
        let entries = try mapping(node, what: "auth")
        try rejectUnknown(entries, allowed: Self.streamAuthKeys, in: "a stream's auth")
        guard let own = try decodeTokens(entries, at: node.mark, what: "auth", files: &files) else {
            throw SchemaError(mark: node.mark, message: "auth: needs 'tokens_env' or 'tokens_file', which name where this stream's tokens are")
        }
        tokens = own
    }

    private func decodeTokens(_ entries: [YAMLMappingEntry], at mark: SourceMark, what: String, files: inout [String]) throws(SchemaError) -> AccessTokens? {
        let env = entries.first { $0.key == "tokens_env" }
        let file = entries.first { $0.key == "tokens_file" }
        if env != nil, let file {
            throw SchemaError(mark: file.keyMark, message: "\(what): use one of 'tokens_env' and 'tokens_file', not both")
        }
        var tokens: [String]
        var source: String
        var sourceMark: SourceMark
        if let env {
            let name = try string(env.value, what: "tokens_env")
            guard let value = getenv(name) else {
                throw SchemaError(mark: env.value.mark, message: "tokens_env: the environment variable '\(name)' is not set")
            }
            tokens = String(cString: value).split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            source = "the environment variable '\(name)'"
            sourceMark = env.value.mark
        } else if let file {
            let (written, path, bytes) = try readNamedFile(file.value, key: "tokens_file", limit: Self.maximumTokenFileSize)
            tokens = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingWhitespace() }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            files.append(path)
            source = "'\(written)'"
            sourceMark = file.value.mark
        } else {
            return nil
        }
        guard !tokens.isEmpty else {
            throw SchemaError(mark: sourceMark, message: "\(what): \(source) holds no token")
        }
        if let bad = tokens.firstIndex(where: { !AccessTokens.isBearerToken($0) }) {
            throw SchemaError(
                mark: sourceMark,
                message: "\(what): token \(bad + 1) in \(source) holds a character a bearer token cannot (RFC 6750: letters, digits, - . _ ~ + / and a trailing =)"
            )
        }
        return AccessTokens(tokens)
    }

    /// The file a key names (`tokens_file`, `tls.cert`), read against the config's folder like
    /// `watch`, within `limit` bytes: as written, its absolute path, and its bytes.
    func readNamedFile(_ node: YAMLNode, key: String, limit: Int) throws(SchemaError) -> (written: String, path: String, bytes: [UInt8]) {
        let written = try string(node, what: key)
        let path = PathText.normalize(written.hasPrefix("/") ? written : baseDirectory + "/" + written)
        do {
            return (written, path, try FileReader.readAll(path: path, limit: limit))
        } catch {
            throw SchemaError(mark: node.mark, message: "\(key): cannot read '\(written)': \(error)")
        }
    }

    /// `cors: {origins: [...]}`: each an origin as a browser sends it in `Origin` (RFC 6454 §6.1),
    /// `scheme://host[:port]` with no path, or `*` alone.
    func decodeCORS(_ node: YAMLNode, into access: inout AccessConfig) throws(SchemaError) {
        let entries = try mapping(node, what: "cors")
        try rejectUnknown(entries, allowed: Self.corsKeys, in: "cors")
        guard let entry = entries.first(where: { $0.key == "origins" }) else {
            throw SchemaError(mark: node.mark, message: "cors: needs 'origins', the pages that may read the streams, like [\"https://dash.example.com\"]")
        }
        guard case .sequence(let items) = entry.value.kind else {
            throw SchemaError(mark: entry.value.mark, message: "origins: expected a list of origins, got \(entry.value.summary)")
        }
        for item in items {
            let text = try string(item, what: "origins")
            guard let origin = Self.origin(text) else {
                throw SchemaError(
                    mark: item.mark,
                    message: "origins: '\(text)' is not an origin; write scheme://host[:port] as the browser's address bar shows it, with no path, or '*'"
                )
            }
            access.corsOrigins.append(origin)
        }
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

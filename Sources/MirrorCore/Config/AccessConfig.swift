import MirrorDocument

/// Who may read what: `auth:` (global and per stream) and `cors:`. Kept apart from the streams'
/// own settings, so a reload that changes only tokens or origins changes no stream: its clients
/// stay, and only those whose token was removed are ended.
public struct AccessConfig: Sendable, Equatable {
    /// The global tokens (`auth:` at the top); nil: streams without their own tokens are open.
    public var tokens: AccessTokens?
    /// Per-stream tokens by stream path; they replace the global ones for that stream.
    public var streamTokens: [String: AccessTokens] = [:]
    /// `auth: {public_ops: true}`: `/healthz` and `/metrics` answer without a token.
    public var publicOps = false
    /// `cors: {origins: [...]}`: origins (RFC 6454 serialization) whose pages may read the
    /// streams; `*` for any page, without credentials.
    public var corsOrigins: [String] = []
    /// The token files named, so a reload can follow them too.
    public var tokenFiles: [String] = []
    /// The token files a reload found gone, unreadable, empty or holding a bad line (``TokenFilePolicy``): their
    /// tokens are an empty set, so no token from them opens anything until they are back.
    public var revokedTokenFiles: [RevokedTokenFile] = []

    public init() {}

    /// Records that the tokens file at `path` gives no token, once however often it is named,
    /// and returns the tokens it stands for now: none (never nil, which would open the stream).
    mutating func revoke(_ path: String, reason: String) -> AccessTokens {
        if !revokedTokenFiles.contains(where: { $0.path.hasSameScalars(as: path) }) {
            revokedTokenFiles.append(RevokedTokenFile(path: path, reason: reason))
        }
        return AccessTokens([])
    }

    /// The tokens that open `path`: its own, or else the global ones; nil when it is open.
    public func tokens(forStream path: String) -> AccessTokens? {
        streamTokens[path] ?? tokens
    }

    /// The tokens that open `/healthz` and `/metrics`; nil when they are open.
    public var opsTokens: AccessTokens? { publicOps ? nil : tokens }

    /// Whether anything asks for a token.
    public var requiresTokens: Bool { tokens != nil || !streamTokens.isEmpty }
}

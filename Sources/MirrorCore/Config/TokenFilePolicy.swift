/// What loading the config makes of a `tokens_file` that is gone, unreadable, empty, or holds a
/// line that is no bearer token.
///
/// At start, and in `check`, it is an error: a server should not come up with fewer tokens
/// than its author wrote. On a reload it is a revocation: the running tokens from that file
/// must not outlive it (a deleted or emptied tokens file is how an operator shuts everyone out),
/// so the file's tokens become an empty set, the rest of the config loads, and the reload ends
/// the streams held with them (the `AccessConfig` records the file and why, for the log).
public enum TokenFilePolicy: Sendable {
    /// A tokens file that cannot be read, or holds no token or a bad one, fails the load.
    case required
    /// Such a file opens nothing: its tokens are none, and ``AccessConfig/revokedTokenFiles`` says why.
    case revokeUnreadable
}

/// A `tokens_file` that a reload found gone, unreadable, empty or holding a bad line, so none of
/// its tokens is valid.
public struct RevokedTokenFile: Sendable, Equatable {
    /// The file's absolute path.
    public let path: String
    /// Why it gave no tokens (`no such file`, `Permission denied`, `auth: 'tokens' holds no token`);
    /// never a token.
    public let reason: String
}

public import MirrorDocument

/// What a stream's URL path may be.
///
/// The path is compared byte for byte with the request target's path, so it must already be in
/// the form a client sends: absolute, no query or fragment, no dot segments (RFC 3986 §3.3, §5.2.4),
/// only characters a path may hold unencoded (`pchar`) or percent-escapes. So a path is ASCII,
/// and `String ==` between two configured paths compares bytes (canonical equivalence equates
/// different scalars only where one is not ASCII): the config's tables keyed by stream path need no
/// ``ScalarString``. `/caf%C3%A9` (NFC `é`) and `/cafe%CC%81` (NFD) are two paths. What a client
/// names is looked up by scalars (`Router`), since a decoded `stream=` value may hold anything.
public enum StreamPathRule {
    /// Routes the server keeps for itself, now or in planned features (dashboard, health, metrics, multiplexed events).
    public static let reserved: Set<String> = ["/", "/healthz", "/metrics", "/events", "/client.js"]

    public static func check(_ path: String) throws(ValueError) {
        guard path.hasPrefix("/") else {
            throw ValueError("a stream path is an absolute URL path starting with '/', like /config")
        }
        if reserved.contains(path) {
            throw ValueError("'\(path)' is reserved by sse-mirror (reserved: \(reserved.sorted().joined(separator: ", ")))")
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.contains(where: { $0 == "." || $0 == ".." }) {
            throw ValueError("a stream path may not contain '.' or '..' segments")
        }
        if segments.dropLast().contains(where: \.isEmpty) {
            throw ValueError("a stream path may not contain an empty segment ('//')")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%".utf8)
        if let bad = path.utf8.first(where: { !allowed.contains($0) }) {
            let shown = bad < 0x80 ? "'\(Character(Unicode.Scalar(bad)))'" : "a non-ASCII character"
            throw ValueError("a stream path may not contain \(shown); percent-encode it")
        }
        var bytes = Array(path.utf8)[...]
        while let percent = bytes.firstIndex(of: UInt8(ascii: "%")) {
            let hex = bytes[(percent + 1)...].prefix(2)
            guard hex.count == 2, hex.allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }) else {
                throw ValueError("'%' in a stream path must start a percent-escape like %20")
            }
            bytes = bytes[(percent + 3)...]
        }
    }
}

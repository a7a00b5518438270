import Crypto

/// A set of bearer tokens (RFC 6750), kept only as their SHA-256 digests: the tokens themselves
/// are dropped once the config is read, so they cannot reach a log line, an error or a core dump
/// of a long-running server.
///
/// A presented token is hashed and compared with every digest, each comparison touching every
/// byte and the loop never stopping early, so the time taken says nothing about how much of a
/// guess was right, nor which token matched (hashing first also makes the time independent of
/// the tokens' lengths).
public struct AccessTokens: Sendable, Equatable, CustomStringConvertible {
    private let digests: [[UInt8]]

    public init(_ tokens: [String]) {
        digests = tokens.map(Self.digest)
    }

    public var count: Int { digests.count }

    /// The digest that identifies `presented` if it is one of the tokens, nil otherwise.
    public func match(_ presented: String) -> [UInt8]? {
        let candidate = Self.digest(presented)
        var found: UInt8 = 0
        for digest in digests {
            var difference: UInt8 = 0
            for index in 0..<digest.count { difference |= digest[index] ^ candidate[index] }
            found |= difference == 0 ? 1 : 0
        }
        return found == 1 ? candidate : nil
    }

    /// Whether a digest ``match(_:)`` gave is still one of the tokens (after a reload).
    public func contains(digest: [UInt8]) -> Bool {
        digests.contains(digest)
    }

    /// Never the tokens: how many there are.
    public var description: String { digests.count == 1 ? "1 token" : "\(digests.count) tokens" }

    static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    /// A token outside it could not be sent in an `Authorization` header as a client writes it.
    static func isBearerToken(_ token: String) -> Bool {
        let body = token.utf8.reversed().drop { $0 == UInt8(ascii: "=") }
        guard !body.isEmpty else { return false }
        return body.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"): true
            default: false
            }
        }
    }
}

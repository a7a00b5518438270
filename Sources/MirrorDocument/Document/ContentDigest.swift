import Crypto

/// SHA-256 of content, in lowercase hex as `sha256sum` prints it (FIPS 180-4), fed in pieces so a
/// file of any size is hashed through a bounded buffer. swift-crypto, never a hand-written hash.
public struct ContentDigest {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    public mutating func update(_ bytes: [UInt8]) {
        hasher.update(data: bytes)
    }

    /// The digest as 64 lowercase hex digits.
    public consuming func hex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in hasher.finalize() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The digest of `bytes` at once.
    public static func hex(of bytes: [UInt8]) -> String {
        var digest = ContentDigest()
        digest.update(bytes)
        return digest.hex()
    }

    /// The digest of `bytes` in base64 (RFC 4648 §4, with padding), as a Content Security Policy
    /// hash source writes it (CSP Level 3 §2.3.1).
    public static func base64(of bytes: [UInt8]) -> String {
        var digest = ContentDigest()
        digest.update(bytes)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let raw = Array(digest.hasher.finalize())
        var text: [UInt8] = []
        for start in stride(from: 0, to: raw.count, by: 3) {
            let chunk = raw[start..<min(start + 3, raw.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for i in 0..<4 {
                text.append(i <= chunk.count ? alphabet[Int((value >> (18 - 6 * UInt32(i))) & 0x3f)] : UInt8(ascii: "="))
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

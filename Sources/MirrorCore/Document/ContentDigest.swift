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
}

import Testing

@testable import MirrorDocument

@Suite("SHA-256 and binary detection")
struct ContentTests {
    /// FIPS 180-4 test vectors, as `sha256sum` prints them.
    @Test func digestMatchesTheStandardVectors() {
        #expect(ContentDigest.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentDigest.hex(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var pieces = ContentDigest()
        pieces.update(Array("ab".utf8))
        pieces.update(Array("c".utf8))
        #expect(pieces.hex() == ContentDigest.hex(of: Array("abc".utf8)))
    }

    @Test func binaryIsANulOrBrokenUTF8InTheSample() {
        #expect(!BinaryContent.isBinary(Array("plain text\nsecond line\n".utf8)))
        #expect(!BinaryContent.isBinary(Array("grüße ✓ 🎉".utf8)))
        #expect(BinaryContent.isBinary([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00]))
        #expect(BinaryContent.isBinary([0x61, 0xFF, 0x62]))
        // A NUL past the sample does not count; a sequence cut by the sample's end does not either.
        #expect(!BinaryContent.isBinary(Array(repeating: 0x61, count: BinaryContent.sampleSize) + [0]))
        let cut = Array(repeating: UInt8(0x61), count: BinaryContent.sampleSize - 1) + Array("é".utf8)
        #expect(!BinaryContent.isBinary(cut))
        // The same cut inside a short file is a broken file.
        #expect(BinaryContent.isBinary([0x61, 0xC3]))
    }
}

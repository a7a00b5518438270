import MirrorDocument
import Testing

@Suite("text documents")
struct TextDocumentReaderTests {
    @Test func wholeFileIsOneString() throws {
        #expect(try DocumentReader.read(Array("line 1\r\nline \"2\"\n\tü 😀\n".utf8), format: .text) == "line 1\r\nline \"2\"\n\tü 😀\n")
        #expect(try DocumentReader.read([], format: .text) == "")
        #expect(try DocumentReader.read([0xEF, 0xBB, 0xBF, 0x61], format: .text) == "a")
        let bytes = JSONSerializer.serialize(try DocumentReader.read(Array("a\n\"b\"".utf8), format: .text))
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\n\"b\"""#)
    }

    @Test(arguments: [
        ([0x61, 0xFF] as [UInt8], 1, 2, "the file is not valid UTF-8 (a byte that cannot start a character)"),
        ([0x61, 0x0A, 0xC3, 0xA9, 0xE2, 0x82], 2, 2, "the file is not valid UTF-8 (a broken multi-byte sequence)"),
        ([0xED, 0xA0, 0x80], 1, 1, "the file is not valid UTF-8 (a broken multi-byte sequence)"),
        ([0xEF, 0xBB, 0xBF, 0xC0, 0xAF], 1, 1, "the file is not valid UTF-8 (a byte that cannot start a character)"),
    ])
    func invalidUTF8HasAPlace(bytes: [UInt8], line: Int, column: Int, message: String) throws {
        // A text stream publishes these as binary metadata (BinaryContent looks at the first 8000
        // bytes); the reader itself still places the error, which a file broken past the sample gets.
        #expect(try DocumentReader.read(bytes, format: .text) == BinaryContent.metadata(bytes))
        do {
            _ = try TextDocumentReader.read(bytes)
            Issue.record("accepted \(bytes)")
        } catch {
            #expect(error == DocumentError(line: line, column: column, message: message))
        }
    }

    @Test func brokenUTF8PastTheSampleIsStillInvalid() {
        let bytes = [UInt8](repeating: 0x61, count: BinaryContent.sampleSize + 10) + [0xFF]
        #expect(throws: DocumentError.self) { try DocumentReader.read(bytes, format: .text) }
    }
}

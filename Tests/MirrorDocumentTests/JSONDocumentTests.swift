import MirrorDocument
import Testing

@Suite("JSON documents")
struct JSONDocumentTests {
    /// A JSON file as a `changed` event carries it: parsed, then serialized compactly.
    func minify(_ text: String) throws(DocumentError) -> String {
        String(decoding: JSONSerializer.serialize(try JSONParser.parse(Array(text.utf8))), as: UTF8.self)
    }

    /// Key order and number spelling are kept; strings are written with only the escapes JSON needs.
    @Test func keepsOrderAndSpelling() throws {
        let text = """
            {
              "z": 1.50e3,  "a" : [ 1, -0.0, 2E+2 ],
              "s": "tab\\t \\u00e9 é \\"q\\" \\/",
              "n": null, "t": true, "f": false, "o": {}, "e": []
            }

            """
        #expect(try minify(text) == #"{"z":1.50e3,"a":[1,-0.0,2E+2],"s":"tab\t é é \"q\" /","n":null,"t":true,"f":false,"o":{},"e":[]}"#)
        #expect(try minify(#"["\u2028\u0001\b"]"#) == #"["\u2028\u0001\b"]"#)
    }

    @Test func stripsByteOrderMark() throws {
        #expect(try minify("\u{FEFF} [1]") == "[1]")
    }

    @Test func scalarsAtTopLevel() throws {
        #expect(try minify(" 42 ") == "42")
        #expect(try minify("\"x\"") == "\"x\"")
    }

    @Test(arguments: [
        ("", 1, 1, "the document is empty"),
        ("{\"a\": 1,\n \"b\": }", 2, 7, "a value was expected"),
        ("{\"a\" 1}", 1, 6, "expected ':'"),
        ("[1, 2", 1, 6, "unexpected end of the document inside an array"),
        ("{\"a\":1", 1, 7, "unexpected end of the document inside an object"),
        ("[01]", 1, 3, "expected ',' or ']'"),
        ("[1.]", 1, 4, "expected a digit after '.'"),
        ("[\"a\nb\"]", 1, 4, "control character"),
        ("\"\\x\"", 1, 3, "invalid escape"),
        ("{\"é\": tru}", 1, 7, "a value was expected"),
        ("[1] [2]", 1, 5, "unexpected text after"),
        ("\"unterminated", 1, 1, "unterminated string"),
        ("{'a': 1}", 1, 2, "expected a string key"),
        ("[NaN]", 1, 2, "a value was expected"),
    ])
    func rejects(text: String, line: Int, column: Int, message: String) {
        do {
            _ = try minify(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.line == line && error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    /// PROTOCOL.md: an `invalid` payload never contains the file's text. JSON's structural
    /// characters are grammar and may be named; any other byte is described by its class.
    @Test(arguments: [
        ("{\"a\": }", "unexpected '}'; a value was expected"),
        ("[1 2]", "expected ',' or ']' in an array"),
        ("[x]", "unexpected letter; a value was expected"),
        ("[tru]", "unexpected letter; a value was expected"),
        ("[#]", "unexpected punctuation character; a value was expected"),
        ("[\u{01}]", "unexpected control character; a value was expected"),
        ("[é]", "unexpected non-ASCII character; a value was expected"),
        ("\"a\\qb\"", "invalid escape sequence in a string (a backslash followed by a letter)"),
        ("\"a\\9\"", "invalid escape sequence in a string (a backslash followed by a digit)"),
        ("\"a\\'\"", "invalid escape sequence in a string (a backslash followed by a punctuation character)"),
        ("\"a\tb\"", "a control character must be escaped in a string"),
    ])
    func messagesNeverQuoteTheFile(text: String, message: String) {
        do {
            _ = try minify(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func utf8ErrorsDoNotShowTheBytes() {
        for bytes: [UInt8] in [[0x22, 0xC3, 0x22], [0x22, 0xFF, 0x22], [0x5B, 0xFF, 0x5D]] {
            do {
                _ = try JSONParser.parse(bytes)
                Issue.record("accepted \(bytes)")
            } catch {
                #expect(!error.message.contains("0x") && !error.message.uppercased().contains("FF") && !error.message.contains("C3"), "\(error.message)")
            }
        }
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22]] {
            #expect(throws: DocumentError.self) { try JSONParser.parse(bytes) }
        }
        #expect(throws: Never.self) { try JSONParser.parse([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        do {
            _ = try minify(deep)
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("nesting deeper than 512"))
        }
        #expect(throws: Never.self) { try minify(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) }
    }
}

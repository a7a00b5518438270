import MirrorDocument
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws(DocumentError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    func number(_ text: String) -> JSONValue { .number(JSONNumber(uncheckedText: text)) }

    @Test func parsesEveryKindInFileOrder() throws {
        let text = """
            {
              "z": 1.50e3,  "a" : [ 1, -0.0, 2E+2 ],
              "s": "tab\\t \\u00e9 é \\"q\\" \\/",
              "n": null, "t": true, "f": false, "o": {}, "e": []
            }

            """
        let value = try parse(text)
        guard case .object(let object) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(object.keys == ["z", "a", "s", "n", "t", "f", "o", "e"])
        #expect(object["z"] == number("1.50e3"))
        #expect(object["a"] == .array([number("1"), number("-0.0"), number("2E+2")]))
        #expect(object["s"] == .string("tab\t é é \"q\" /"))
        #expect(object["n"] == .null)
        #expect(object["t"] == true && object["f"] == false)
        #expect(object["o"] == .object(JSONObject()) && object["e"] == [])
    }

    /// RFC 8259 §6: numbers are kept as written, however long, so nothing is rounded.
    @Test(arguments: ["-0", "1E+2", "12345678901234567890123", "0.1000", "-1.5e-300", "1e999999", "0", "3.141592653589793238462643383279"])
    func numbersAsWritten(text: String) throws {
        #expect(try parse(text) == number(text))
        #expect(try parse("[\(text)]") == .array([number(text)]))
    }

    @Test(arguments: [
        (#""\u0041\u00e9\u20AC""#, "Aé€"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD83D\uDE00x""#, "😀x"),
        (#""a\u0000b""#, "a\u{0}b"),
        (#""\b\f\n\r\t\"\\\/""#, "\u{8}\u{C}\n\r\t\"\\/"),
        (#""naïve ✓ 😀""#, "naïve ✓ 😀"),
        (#""""#, ""),
    ])
    func stringsDecoded(text: String, expected: String) throws {
        #expect(try parse(text) == .string(expected))
    }

    @Test func unicodeKeys() throws {
        let value = try parse(#"{"ключ": 1, "😀": 2, "\u00e9": 3}"#)
        guard case .object(let object) = value else { return #expect(Bool(false)) }
        #expect(object.keys == ["ключ", "😀", "é"])
    }

    @Test func byteOrderMarkAndScalars() throws {
        #expect(try parse("\u{FEFF} [1]") == [1])
        #expect(try parse(" 42 ") == 42)
        #expect(try parse("\"x\"") == "x")
        #expect(try parse("null") == .null)
    }

    /// RFC 8259 §4: the names in an object SHOULD be unique; here they must be, in small and large objects.
    @Test func duplicateKeysAreErrors() {
        for (text, line, column) in [
            (#"{"a": 1, "a": 2}"#, 1, 10),
            ("{\"a\": 1,\n  \"b\": {\"x\": 1, \"x\": 2}}", 2, 17),
            (#"{"é": 1, "\u00e9": 2}"#, 1, 10),
            // `é` and `e\u0301` are two keys (RFC 8259 §8.3; UnicodeSpellingTests), not a duplicate.
        ] {
            do {
                _ = try parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error == DocumentError(line: line, column: column, message: "duplicate key in an object"), "\(text)")
            }
        }
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(throws: Never.self) { try parse("{\(many)}") }
        do {
            _ = try parse("{\(many), \"k7\": 0}")
            Issue.record("accepted a duplicate in a large object")
        } catch {
            #expect(error.message == "duplicate key in an object")
            #expect(error.column == many.unicodeScalars.count + 4)
        }
    }

    @Test(arguments: [
        ("", 1, 1, "the document is empty"),
        ("   \n ", 2, 2, "the document is empty"),
        ("{\"a\": 1,\n \"b\": }", 2, 7, "unexpected '}'; a value was expected"),
        ("{\"a\" 1}", 1, 6, "expected ':' after an object key"),
        ("[1, 2", 1, 6, "unexpected end of the document inside an array"),
        ("{\"a\":1", 1, 7, "unexpected end of the document inside an object"),
        ("[01]", 1, 3, "expected ',' or ']' in an array"),
        ("[1.]", 1, 4, "expected a digit after '.' in a number"),
        ("[1e]", 1, 4, "expected a digit in a number's exponent"),
        ("[-]", 1, 3, "expected a digit in a number"),
        ("[+1]", 1, 2, "unexpected punctuation character; a value was expected"),
        ("[.5]", 1, 2, "unexpected punctuation character; a value was expected"),
        ("[\"a\nb\"]", 1, 4, "a control character must be escaped in a string"),
        ("\"\\x\"", 1, 3, "invalid escape sequence in a string (a backslash followed by a letter)"),
        ("\"\\u12G4\"", 1, 6, "'\\u' must be followed by four hex digits"),
        ("{\"é\": tru}", 1, 7, "unexpected letter; a value was expected"),
        ("[1] [2]", 1, 5, "unexpected text after the JSON value"),
        ("\"unterminated", 1, 1, "unterminated string"),
        ("\"ends in a backslash\\", 1, 1, "unterminated string"),
        ("{'a': 1}", 1, 2, "expected a string key in an object"),
        ("{\"a\": 1,}", 1, 9, "expected a string key in an object"),
        ("[1,]", 1, 4, "unexpected ']'; a value was expected"),
        ("[NaN]", 1, 2, "unexpected letter; a value was expected"),
        ("[Infinity]", 1, 2, "unexpected letter; a value was expected"),
        ("// comment\n1", 1, 1, "unexpected punctuation character; a value was expected"),
        ("\"\\ud800\"", 1, 2, "a '\\u' escape of a lone surrogate (a high surrogate without a low one after it)"),
        ("\"\\ud800\\u0041\"", 1, 2, "a '\\u' escape of a lone surrogate (a high surrogate without a low one after it)"),
        ("\"ab\\udc00\"", 1, 4, "a '\\u' escape of a lone surrogate (a low surrogate without a high one before it)"),
        ("[\u{0C}1]", 1, 2, "unexpected control character; a value was expected"),
    ])
    func rejects(text: String, line: Int, column: Int, message: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error == DocumentError(line: line, column: column, message: message), "\(text)")
        }
    }

    @Test func invalidUTF8IsRejectedWithoutShowingTheBytes() {
        for bytes: [UInt8] in [
            [0x22, 0xC3, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
            [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x22, 0x61, 0x5C, 0x6E, 0xE2, 0x82, 0x22],
        ] {
            do {
                _ = try JSONParser.parse(bytes)
                Issue.record("accepted \(bytes)")
            } catch {
                #expect(error.message.hasPrefix("the file is not valid UTF-8"))
                #expect(!error.message.contains("0x"))
            }
        }
        #expect(throws: Never.self) { try JSONParser.parse([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        do {
            _ = try parse(String(repeating: "[", count: 100_000))
            Issue.record("accepted")
        } catch {
            #expect(error == DocumentError(line: 1, column: 513, message: "nesting deeper than 512 levels"))
        }
        #expect(throws: Never.self) { try parse(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) }
        #expect(throws: Never.self) { try parse(String(repeating: "{\"a\":", count: 512) + "1" + String(repeating: "}", count: 512)) }
    }

    /// What the serializer writes, the parser reads back as the same value.
    @Test func serializerRoundTrips() throws {
        let value: JSONValue = [
            "text": "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} sep \u{2028}\u{2029} emoji 😀",
            "numbers": .array([number("-0"), number("1E+2"), number("12345678901234567890123"), number("0.1000")]),
            "nested": ["a": [1, 2, ["b": nil]], "é": true, "": false],
            "empty": ["o": .object(JSONObject()), "a": []],
        ]
        let bytes = JSONSerializer.serialize(value)
        #expect(try JSONParser.parse(bytes) == value)
        #expect(JSONSerializer.serialize(try JSONParser.parse(bytes)) == bytes)
    }
}

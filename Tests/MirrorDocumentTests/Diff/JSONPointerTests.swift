import MirrorDocument
import Testing

@Suite("JSON Pointer (RFC 6901)")
struct JSONPointerTests {
    /// The document of RFC 6901 §5.
    static let document = """
        {
          "foo": ["bar", "baz"],
          "": 0,
          "a/b": 1,
          "c%d": 2,
          "e^f": 3,
          "g|h": 4,
          "i\\\\j": 5,
          "k\\"l": 6,
          " ": 7,
          "m~n": 8
        }
        """

    /// RFC 6901 §5: each pointer and the value it names, as JSON text.
    @Test(arguments: [
        ("", "WHOLE"),
        ("/foo", #"["bar","baz"]"#),
        ("/foo/0", #""bar""#),
        ("/", "0"),
        ("/a~1b", "1"),
        ("/c%d", "2"),
        ("/e^f", "3"),
        ("/g|h", "4"),
        ("/i\\j", "5"),
        ("/k\"l", "6"),
        ("/ ", "7"),
        ("/m~0n", "8"),
    ])
    func section5Examples(pointer: String, expected: String) throws {
        let document = try TestJSON.parse(Self.document)
        let parsed = try JSONPointer(pointer)
        let value = try #require(parsed.resolve(in: document))
        #expect(value == (expected == "WHOLE" ? document : try TestJSON.parse(expected)))
        #expect(parsed.description == pointer, "renders back as written")
    }

    @Test func tokensAreUnescapedOnceTildeOneFirst() throws {
        #expect(try JSONPointer("/~01").tokens == ["~1"])
        #expect(try JSONPointer("/a~1b/~0/").tokens == ["a/b", "~", ""])
        #expect(try JSONPointer("//").tokens == ["", ""])
        #expect(JSONPointer(tokens: ["~1", "a/b", ""]).description == "/~01/a~1b/")
        #expect(JSONPointer.root.appending("x/y").appending(3).description == "/x~1y/3")
    }

    @Test(arguments: ["a", "foo/bar", "/~", "/~2", "/a~", "/~a", "#/foo"])
    func invalidPointers(_ text: String) {
        #expect(throws: JSONPointerError.self) { try JSONPointer(text) }
    }

    @Test func arrayIndexTokens() throws {
        let document = try TestJSON.parse(#"{"a":[10,20,30]}"#)
        #expect(try JSONPointer("/a/2").resolve(in: document) == 30)
        for token in ["3", "-", "01", "+1", "-1", "1.0", " 1", "", "99999999999999999999999"] {
            #expect(try JSONPointer("/a/\(token)").resolve(in: document) == nil, "token \(token)")
        }
        #expect(try JSONPointer("/a/0/x").resolve(in: document) == nil)
        #expect(JSONPointer.arrayIndex("0") == 0)
        #expect(JSONPointer.arrayIndex("10") == 10)
        #expect(JSONPointer.arrayIndex("00") == nil)
    }

    @Test func properPrefix() throws {
        #expect(try JSONPointer("/a").isProperPrefix(of: JSONPointer("/a/b")))
        #expect(try JSONPointer("").isProperPrefix(of: JSONPointer("/a")))
        #expect(try !JSONPointer("/a").isProperPrefix(of: JSONPointer("/a")))
        #expect(try !JSONPointer("/a").isProperPrefix(of: JSONPointer("/ab")))
    }
}

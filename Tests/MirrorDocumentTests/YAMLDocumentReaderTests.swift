import MirrorDocument
import Testing

@Suite("YAML documents")
struct YAMLDocumentReaderTests {
    func read(_ text: String) throws(DocumentError) -> JSONValue {
        try DocumentReader.read(Array(text.utf8), format: .yaml)
    }

    func number(_ text: String) -> JSONValue { .number(JSONNumber(uncheckedText: text)) }

    @Test func mappingsListsAndScalarsInOrder() throws {
        let text = """
            name: app
            replicas: 3
            ratio: 0.75
            enabled: yes
            debug: false
            owner: ~
            tags: [a, "b", 'c']
            nested:
              - {x: 1}
              - |
                two lines
                here
            """
        let value = try read(text)
        guard case .object(let object) = value else { return #expect(Bool(false), "\(value)") }
        #expect(object.keys == ["name", "replicas", "ratio", "enabled", "debug", "owner", "tags", "nested"])
        #expect(object["enabled"] == "yes")  // YAML 1.1's boolean is a string in the 1.2 core schema
        #expect(value == ["name": "app", "replicas": 3, "ratio": number("0.75"), "enabled": "yes", "debug": false, "owner": nil,
                          "tags": ["a", "b", "c"], "nested": [["x": 1], "two lines\nhere"]])
    }

    @Test(arguments: [
        ("0x1F", "31"), ("0o17", "15"), ("+1", "1"), ("007", "7"), ("-007", "-7"), ("-0", "-0"), ("1.", "1.0"),
        (".5", "0.5"), ("-.5", "-0.5"), ("+12.50e+3", "12.50e+3"), ("1e5", "1e5"), ("12345678901234567890123", "12345678901234567890123"),
        ("0xFFFFFFFFFFFFFFFFFFFF", "1208925819614629174706175"), ("0o0", "0"), ("00.10", "0.10"),
    ])
    func numbersGetTheirJSONSpelling(text: String, json: String) throws {
        let value = try read("n: \(text)")
        #expect(value == ["n": number(json)])
        #expect(JSONNumber(json) != nil)
    }

    @Test(arguments: ["nope", "nULL", "Fals", "tRUE", "~x", ".Nan", "+.info", "'0x1F'", "\"1\"", "0x", "0o8", "1.2.3", "1e", "0X1F", "+", "-.", "1_000", "!!str 12"])
    func otherTextsAreStrings(text: String) throws {
        guard case .object(let object) = try read("s: \(text)"), case .string = object["s"] else {
            Issue.record("not a string: \(text)")
            return
        }
    }

    @Test func nullsAndBooleansOfTheCoreSchema() throws {
        #expect(try read("[~, null, Null, NULL, true, True, TRUE, false, False, FALSE, ]") == [nil, nil, nil, nil, true, true, true, false, false, false])
        #expect(try read("a:\nb: ''") == ["a": nil, "b": ""])
    }

    @Test func emptyFileIsNull() throws {
        #expect(try read("") == .null)
        #expect(try read("# only a comment\n") == .null)
        #expect(try read("---\n") == .null)
        #expect(try read("\u{FEFF}a: 1") == ["a": 1])
    }

    @Test func tagsOfTheCoreSchema() throws {
        #expect(try read("[!!str 1, !!int '7', !!float 2, !!bool 'true', !!null '', ! 12]") == ["1", 7, 2, true, nil, "12"])
        #expect(try read("!!map {a: !!seq [1]}") == ["a": [1]])
    }

    @Test func aliasesExpand() throws {
        #expect(try read("base: &b {x: 1}\ncopy: *b\nkey: &k name\n*k : 2") == ["base": ["x": 1], "copy": ["x": 1], "key": "name", "name": 2])
        #expect(try read("<<: {a: 1}") == ["<<": ["a": 1]])
    }

    @Test(arguments: [
        ("a: 1\na: 2", 2, 1, "duplicate key in a mapping"),
        ("a: 1\n'a': 2", 2, 1, "duplicate key in a mapping"),
        ("1: x", 1, 1, "a mapping key must be a string; this one reads as a number in YAML 1.2 (quote it to make it a string)"),
        ("x: 1\ntrue: x", 2, 1, "a mapping key must be a string; this one reads as a boolean in YAML 1.2 (quote it to make it a string)"),
        ("~: x", 1, 1, "a mapping key must be a string; this one reads as null in YAML 1.2 (quote it to make it a string)"),
        ("? [a]\n: x", 1, 3, "a mapping key must be a string, not a list"),
        ("? {a: 1}\n: x", 1, 3, "a mapping key must be a string, not a mapping"),
        ("v: .inf", 1, 4, "infinity and NaN have no JSON form (RFC 8259 §6)"),
        ("v: [1, -.Inf]", 1, 8, "infinity and NaN have no JSON form (RFC 8259 §6)"),
        ("v: .nan", 1, 4, "infinity and NaN have no JSON form (RFC 8259 §6)"),
        ("a: 1\n---\nb: 2", 2, 1, "a second YAML document in the file; a stream publishes one document"),
        ("v: !!binary aGk=", 1, 4, "an unsupported tag; a document holds JSON values (tags: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)"),
        ("v: !secret hunter2", 1, 4, "an unsupported tag; a document holds JSON values (tags: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)"),
        ("v: !!int hunter2", 1, 4, "a scalar that does not fit its tag !!int"),
        ("v: *hunter2", 1, 4, "an alias to an anchor not defined before it"),
    ])
    func rejects(text: String, line: Int, column: Int, message: String) {
        do {
            _ = try read(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error == DocumentError(line: line, column: column, message: message), "\(text)")
        }
    }

    @Test func syntaxErrorsHaveAPlaceAndNoText() {
        for text in ["a: [1, 2\nb: 3", "a: 'secret", "\tsecret: 1", "a: b: c", "k: \u{7}secret"] {
            do {
                _ = try read(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.line != nil && error.column != nil, "\(error)")
                #expect(!error.message.contains("secret") && !error.message.contains("U+") && !error.message.contains("config"), "\(error)")
            }
        }
        do {
            _ = try DocumentReader.read([0x61, 0x3A, 0x20, 0xFF], format: .yaml)
            Issue.record("accepted bad UTF-8")
        } catch {
            #expect(error.line == 1 && error.column == 4 && !error.message.contains("FF"), "\(error)")
        }
    }

    /// "Billion laughs": nine levels of ten aliases each would expand to 10⁹ nodes.
    @Test(.timeLimit(.minutes(1))) func aliasExpansionIsBounded() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        do {
            _ = try read(text)
            Issue.record("accepted")
        } catch {
            #expect(error.message == "aliases expand to more than 1000000 nodes")
            #expect(error.line == 6)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        do {
            _ = try read(String(repeating: "[", count: 100_000))
            Issue.record("accepted")
        } catch {
            #expect(error == DocumentError(line: 1, column: 513, message: "nesting deeper than 512 levels"))
        }
        #expect(throws: Never.self) { try read(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) }
    }

    @Test func serializesAsJSON() throws {
        let bytes = JSONSerializer.serialize(try DocumentReader.read(Array("b: [1, 0x10]\na: \"x\\ny\"".utf8), format: .yaml))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"b":[1,16],"a":"x\ny"}"#)
    }
}

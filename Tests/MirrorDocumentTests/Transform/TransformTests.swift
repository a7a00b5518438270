import MirrorDocument
import Testing

/// Each transform rule on its own, then rules in order (PROTOCOL.md, "Transforms").
@Suite("transform rules")
struct TransformTests {
    static let document = #"""
        {"name":"checkout","features":{"newCart":true,"flags":["a","b"],"internal":{"x":1}},
         "flags":{"dark":false},"internal":{"build":7},"db":{"host":"h","password":"pw"},"token":"t"}
        """#

    func apply(_ rules: [TransformRule], to text: String = Self.document) throws -> JSONValue {
        try Transform(rules).apply(to: TestJSON.parse(text))
    }

    func failure(_ rules: [TransformRule], on text: String) throws -> DocumentError? {
        let document = try TestJSON.parse(text)
        do {
            _ = try Transform(rules).apply(to: document)
            return nil
        } catch {
            return error
        }
    }

    @Test func noRulesLeaveTheDocumentAsItIs() throws {
        let document = try TestJSON.parse(Self.document)
        #expect(Transform().isEmpty)
        #expect(try Transform().apply(to: document).text == document.text)
    }

    @Test func selectPublishesASubtree() throws {
        #expect(try apply([.select(JSONPointer("/features"))]).text == #"{"newCart":true,"flags":["a","b"],"internal":{"x":1}}"#)
        #expect(try apply([.select(JSONPointer("/features/flags/1"))]).text == #""b""#)
        #expect(try apply([.select(JSONPointer("/flags/dark"))]).text == "false")
    }

    /// A version without the selected subtree is `invalid`, with no place in the text; publishing
    /// `null` would look like a real value.
    @Test func selectOfAMissingSubtreeIsAnError() throws {
        let error = try #require(try failure([.select(JSONPointer("/features"))], on: #"{"feature":{}}"#))
        #expect(error == DocumentError(line: nil, column: nil, message: "transform select: /features is not in the document"))
        #expect(try failure([.select(JSONPointer("/a~1b/0"))], on: #"{"a/b":[]}"#)?.message == "transform select: /a~1b/0 is not in the document")
        #expect(try failure([.select(JSONPointer("/a/-"))], on: #"{"a":[1]}"#) != nil)
    }

    /// Members in the document's order, not the list's; keys the document lacks are no error.
    @Test func pickKeepsOnlyTheListedMembersInDocumentOrder() throws {
        #expect(try apply([.pick(["token", "name", "missing"])]).text == #"{"name":"checkout","token":"t"}"#)
        #expect(try apply([.pick(["missing"])]).text == "{}")
    }

    /// A pick is an allowlist: a document that is not an object is not published whole.
    @Test(arguments: [
        ("[1,2]", "transform pick: the document is an array, not an object"),
        ("null", "transform pick: the document is null, not an object"),
        (#""name""#, "transform pick: the document is a string, not an object"),
        ("1", "transform pick: the document is a number, not an object"),
    ])
    func pickOfANonObjectIsAnError(document: String, message: String) throws {
        #expect(try failure([.pick(["name"])], on: document) == DocumentError(line: nil, column: nil, message: message))
    }

    @Test func omitRemovesWhatItsPatternsMatch() throws {
        #expect(try apply([.omit([PathPattern("/internal"), PathPattern("**.internal")])]).text
            == #"{"name":"checkout","features":{"newCart":true,"flags":["a","b"]},"flags":{"dark":false},"db":{"host":"h","password":"pw"},"token":"t"}"#)
        // A missing path is no change.
        #expect(try apply([.omit([PathPattern("/nothing/here"), PathPattern("no.such")])]) == TestJSON.parse(Self.document))
    }

    /// All patterns of one rule match the document as it was before the rule: removing `/l/0`
    /// does not make `/l/1` name the third element.
    @Test func omitOfArrayElementsMatchesTheOriginalIndexes() throws {
        #expect(try apply([.omit([PathPattern("/l/0"), PathPattern("/l/1")])], to: #"{"l":[0,1,2,3]}"#).text == #"{"l":[2,3]}"#)
        #expect(try apply([.omit([PathPattern("l.*.x")])], to: #"{"l":[{"x":1,"y":1},{"y":2}]}"#).text == #"{"l":[{"y":1},{"y":2}]}"#)
        #expect(try apply([.omit([PathPattern("l.*")])], to: #"{"l":[1,2,3],"m":1}"#).text == #"{"l":[],"m":1}"#)
        // Two rules: the second sees what the first left.
        #expect(try apply([.omit([PathPattern("/l/0")]), .omit([PathPattern("/l/0")])], to: #"{"l":[0,1,2]}"#).text == #"{"l":[2]}"#)
    }

    /// Whatever the value is, object and array included, it becomes the string "[redacted]"; a
    /// missing path adds nothing.
    @Test func redactReplacesValuesOfEveryKind() throws {
        let document = #"{"s":"x","n":1.50e3,"b":true,"z":null,"a":[1,{"k":2}],"o":{"k":{"deep":1}},"keep":1}"#
        let redacted = try apply([.redact(["/s", "/n", "/b", "/z", "/a", "/o", "/missing", "o.missing.deeper"].map(PathPattern.init))], to: document)
        #expect(redacted.text == #"{"s":"[redacted]","n":"[redacted]","b":"[redacted]","z":"[redacted]","a":"[redacted]","o":"[redacted]","keep":1}"#)
        #expect(TransformRule.redacted == "[redacted]")
    }

    @Test func redactKeepsMemberOrderAndTheRest() throws {
        #expect(try apply([.redact([PathPattern("/db/password"), PathPattern("**.token")])]).text
            == #"{"name":"checkout","features":{"newCart":true,"flags":["a","b"],"internal":{"x":1}},"flags":{"dark":false},"internal":{"build":7},"db":{"host":"h","password":"[redacted]"},"token":"[redacted]"}"#)
    }

    /// Rules run in the order written, each on what the one before left: select, then pick, then
    /// omit, then redact.
    @Test func rulesApplyInOrder() throws {
        let document = #"{"features":{"name":"n","flags":{"a":1,"internal":2,"secretKey":"s"},"other":3},"secret":"top"}"#
        let rules: [TransformRule] = [
            .select(try JSONPointer("/features")),
            .pick(["name", "flags"]),
            .omit([try PathPattern("/flags/internal")]),
            .redact([try PathPattern("**.secret*")]),
        ]
        #expect(try apply(rules, to: document).text == #"{"name":"n","flags":{"a":1,"secretKey":"[redacted]"}}"#)
        // The same rules in another order mean something else.
        #expect(try apply([.redact([PathPattern("/features")]), .select(JSONPointer("/features"))], to: document).text == #""[redacted]""#)
        #expect(try failure([.pick(["secret"]), .select(JSONPointer("/features"))], on: document)?.message
            == "transform select: /features is not in the document")
        #expect(try apply([.omit([PathPattern("/features/name")]), .select(JSONPointer("/features")), .pick(["name"])], to: document).text == "{}")
    }
}

import MirrorDocument
import Testing

@Suite("JSON Patch: RFC 6902 Appendix A")
struct JSONPatchRFCExampleTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var name: String
        var document: String
        var patch: String
        /// nil when the patch must fail.
        var result: String?
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        Example(
            name: "A.1 Adding an Object Member", document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/baz","value":"qux"}]"#, result: #"{"baz":"qux","foo":"bar"}"#),
        Example(
            name: "A.2 Adding an Array Element", document: #"{"foo":["bar","baz"]}"#,
            patch: #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, result: #"{"foo":["bar","qux","baz"]}"#),
        Example(
            name: "A.3 Removing an Object Member", document: #"{"baz":"qux","foo":"bar"}"#,
            patch: #"[{"op":"remove","path":"/baz"}]"#, result: #"{"foo":"bar"}"#),
        Example(
            name: "A.4 Removing an Array Element", document: #"{"foo":["bar","qux","baz"]}"#,
            patch: #"[{"op":"remove","path":"/foo/1"}]"#, result: #"{"foo":["bar","baz"]}"#),
        Example(
            name: "A.5 Replacing a Value", document: #"{"baz":"qux","foo":"bar"}"#,
            patch: #"[{"op":"replace","path":"/baz","value":"boo"}]"#, result: #"{"baz":"boo","foo":"bar"}"#),
        Example(
            name: "A.6 Moving a Value",
            document: #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            patch: #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
            result: #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        Example(
            name: "A.7 Moving an Array Element", document: #"{"foo":["all","grass","cows","eat"]}"#,
            patch: #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
            result: #"{"foo":["all","cows","eat","grass"]}"#),
        Example(
            name: "A.8 Testing a Value: Success", document: #"{"baz":"qux","foo":["a",2,"c"]}"#,
            patch: #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
            result: #"{"baz":"qux","foo":["a",2,"c"]}"#),
        Example(
            name: "A.9 Testing a Value: Error", document: #"{"baz":"qux"}"#,
            patch: #"[{"op":"test","path":"/baz","value":"bar"}]"#, result: nil),
        Example(
            name: "A.10 Adding a Nested Member Object", document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
            result: #"{"foo":"bar","child":{"grandchild":{}}}"#),
        Example(
            name: "A.11 Ignoring Unrecognized Elements", document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, result: #"{"foo":"bar","baz":"qux"}"#),
        Example(
            name: "A.12 Adding to a Nonexistent Target", document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, result: nil),
        Example(
            name: "A.14 ~ Escape Ordering", document: #"{"/":9,"~1":10}"#,
            patch: #"[{"op":"test","path":"/~01","value":10}]"#, result: #"{"/":9,"~1":10}"#),
        Example(
            name: "A.15 Comparing Strings and Numbers", document: #"{"/":9,"~1":10}"#,
            patch: #"[{"op":"test","path":"/~01","value":"10"}]"#, result: nil),
        Example(
            name: "A.16 Adding an Array Value", document: #"{"foo":["bar"]}"#,
            patch: #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
            result: #"{"foo":["bar",["abc","def"]]}"#),
    ]

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let document = try TestJSON.parse(example.document)
        let patch = try TestJSON.parse(example.patch)
        if let result = example.result {
            #expect(try JSONPatch.apply(patch: patch, to: document) == TestJSON.parse(result))
        } else {
            #expect(throws: PatchError.self) { try JSONPatch.apply(patch: patch, to: document) }
        }
    }

    /// A.13: `{"op":"add",…,"op":"remove"}` repeats a member, which RFC 8259 §4 leaves
    /// unpredictable; our JSON parser refuses duplicate keys, so such a patch never reaches
    /// ``JSONPatch``. What remains to check here is that an operation it cannot read is refused.
    @Test func a13InvalidPatchDocuments() throws {
        for text in [
            #"{"op":"add","path":"/a","value":1}"#, #"[{"op":"frobnicate","path":"/a"}]"#,
            #"[{"path":"/a","value":1}]"#, #"[{"op":"add","value":1}]"#, #"[{"op":"add","path":"/a"}]"#,
            #"[{"op":"move","path":"/a"}]"#, #"[{"op":"copy","path":"/a"}]"#, #"[{"op":"test","path":"/a"}]"#,
            #"[{"op":"replace","path":"/a"}]"#, #"[{"op":"add","path":"a","value":1}]"#,
            #"[{"op":"add","path":1,"value":1}]"#, #"[{"op":3,"path":"/a"}]"#, #"[1]"#,
        ] {
            let patch = try TestJSON.parse(text)
            #expect(throws: PatchError.self, "\(text)") { try JSONPatch.operations(from: patch) }
        }
    }

    @Test func errorsNameTheOperationAndThePointer() throws {
        let patch = try TestJSON.parse(
            #"[{"op":"test","path":"/a","value":1},{"op":"remove","path":"/a"},{"op":"remove","path":"/a~1b/c"}]"#)
        let error = try #require(throws: PatchError.self) {
            try JSONPatch.apply(patch: patch, to: TestJSON.parse(#"{"a":1}"#))
        }
        #expect(error.operationIndex == 2)
        #expect(error.pointer == "/a~1b/c")
        #expect(error.code == .pathNotFound)
        #expect(error.description.hasPrefix(#"operation 2 at "/a~1b/c": "#))

        let malformed = try #require(throws: PatchError.self) {
            try JSONPatch.operations(from: TestJSON.parse(#"[{"op":"test","path":"/a","value":1},{"op":"nope","path":""}]"#))
        }
        #expect(malformed.operationIndex == 1)
        #expect(malformed.code == .malformedPatch)
    }

    @Test func nullValueIsPresent() throws {
        let operations = try JSONPatch.operations(from: TestJSON.parse(#"[{"op":"add","path":"/a","value":null}]"#))
        #expect(try operations == [.add(path: JSONPointer("/a"), value: .null)])
    }

    @Test func writesMembersInTheRFCOrder() throws {
        let operations: [PatchOperation] = [
            .add(path: try JSONPointer("/a~1b"), value: [1, nil]),
            .remove(path: try JSONPointer("/x")),
            .replace(path: .root, value: "v"),
            .move(from: try JSONPointer("/m~0"), path: try JSONPointer("/n")),
            .copy(from: try JSONPointer("/c"), path: try JSONPointer("/d")),
            .test(path: try JSONPointer("/t"), value: ["k": true]),
        ]
        let text = String(decoding: JSONPatch.serialize(operations), as: UTF8.self)
        #expect(
            text
                == #"[{"op":"add","path":"/a~1b","value":[1,null]},{"op":"remove","path":"/x"},"#
                + #"{"op":"replace","path":"","value":"v"},{"op":"move","path":"/n","from":"/m~0"},"#
                + #"{"op":"copy","path":"/d","from":"/c"},{"op":"test","path":"/t","value":{"k":true}}]"#
        )
        #expect(try JSONPatch.operations(from: TestJSON.parse(text)) == operations)
    }
}

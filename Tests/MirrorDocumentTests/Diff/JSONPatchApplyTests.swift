import MirrorDocument
import Testing

@Suite("JSON Patch: apply (RFC 6902 §4, §5)")
struct JSONPatchApplyTests {
    func apply(_ patch: String, to document: String) throws -> JSONValue {
        try JSONPatch.apply(patch: TestJSON.parse(patch), to: TestJSON.parse(document))
    }

    func failure(_ patch: String, on document: String) throws -> PatchError {
        try #require(throws: PatchError.self) { try apply(patch, to: document) }
    }

    @Test(arguments: [
        (#"[{"op":"add","path":"","value":[1]}]"#, #"{"a":1}"#, "[1]"),
        (#"[{"op":"replace","path":"","value":{"b":2}}]"#, #"[0]"#, #"{"b":2}"#),
        (#"[{"op":"add","path":"/a","value":2}]"#, #"{"a":1}"#, #"{"a":2}"#),
        (#"[{"op":"add","path":"/2","value":9}]"#, #"[0,1]"#, "[0,1,9]"),
        (#"[{"op":"add","path":"/-","value":9}]"#, #"[]"#, "[9]"),
        (#"[{"op":"add","path":"/","value":9}]"#, #"{}"#, #"{"":9}"#),
        (#"[{"op":"remove","path":"/0"}]"#, #"[1,2]"#, "[2]"),
        (#"[{"op":"replace","path":"/a/1","value":null}]"#, #"{"a":[1,2]}"#, #"{"a":[1,null]}"#),
        (#"[{"op":"move","from":"/0","path":"/-"}]"#, #"[1,2,3]"#, "[2,3,1]"),
        (#"[{"op":"move","from":"/a","path":"/a"}]"#, #"{"a":1}"#, #"{"a":1}"#),
        (#"[{"op":"move","from":"/a/x","path":""}]"#, #"{"a":{"x":[7]}}"#, "[7]"),
        (#"[{"op":"move","from":"/a","path":"/b/c"}]"#, #"{"a":1,"b":{}}"#, #"{"b":{"c":1}}"#),
        (#"[{"op":"copy","from":"/a","path":"/a/-"}]"#, #"{"a":[1]}"#, #"{"a":[1,[1]]}"#),
        (#"[{"op":"copy","from":"","path":"/x"}]"#, #"{"a":1}"#, #"{"a":1,"x":{"a":1}}"#),
        (#"[{"op":"test","path":"","value":{"b":[1.0,1e0],"a":null}}]"#, #"{"a":null,"b":[1,10E-1]}"#,
            #"{"a":null,"b":[1,10E-1]}"#),
        (#"[{"op":"test","path":"/n","value":-0}]"#, #"{"n":0.0e5}"#, #"{"n":0.0e5}"#),
    ])
    func succeeds(patch: String, document: String, result: String) throws {
        #expect(try apply(patch, to: document) == TestJSON.parse(result))
    }

    @Test(arguments: [
        (#"[{"op":"remove","path":""}]"#, "{}", "invalid target"),
        (#"[{"op":"remove","path":"/x"}]"#, "{}", "path not found"),
        (#"[{"op":"replace","path":"/x","value":1}]"#, "{}", "path not found"),
        (#"[{"op":"test","path":"/x","value":1}]"#, "{}", "path not found"),
        (#"[{"op":"test","path":"","value":{"a":1}}]"#, #"{"a":1,"b":2}"#, "test failed"),
        (#"[{"op":"test","path":"/a","value":[1,2]}]"#, #"{"a":[2,1]}"#, "test failed"),
        (#"[{"op":"add","path":"/a/b","value":1}]"#, "{}", "path not found"),
        (#"[{"op":"add","path":"/a/b","value":1}]"#, #"{"a":"s"}"#, "path not found"),
        (#"[{"op":"add","path":"/3","value":1}]"#, "[1,2]", "invalid array index"),
        (#"[{"op":"add","path":"/01","value":1}]"#, "[1,2]", "invalid array index"),
        (#"[{"op":"add","path":"/-1","value":1}]"#, "[1,2]", "invalid array index"),
        (#"[{"op":"remove","path":"/2"}]"#, "[1,2]", "invalid array index"),
        (#"[{"op":"remove","path":"/-"}]"#, "[1,2]", "invalid array index"),
        (#"[{"op":"replace","path":"/-","value":0}]"#, "[1,2]", "invalid array index"),
        (#"[{"op":"add","path":"/-/a","value":0}]"#, "[{}]", "path not found"),
        (#"[{"op":"move","from":"/a","path":"/a/b"}]"#, #"{"a":{}}"#, "invalid target"),
        (#"[{"op":"move","from":"","path":"/a"}]"#, #"{"a":{}}"#, "invalid target"),
        (#"[{"op":"move","from":"/x","path":"/y"}]"#, #"{}"#, "path not found"),
        (#"[{"op":"move","from":"/x","path":"/x"}]"#, #"{}"#, "path not found"),
        (#"[{"op":"copy","from":"/x","path":"/y"}]"#, #"{}"#, "path not found"),
        (#"[{"op":"copy","from":"/a","path":"/b/c"}]"#, #"{"a":1}"#, "path not found"),
        (#"[{"op":"add","path":"/99999999999999999999999","value":0}]"#, "[]", "invalid array index"),
    ])
    func fails(patch: String, document: String, code: String) throws {
        let error = try failure(patch, on: document)
        #expect(error.code.description == code, "\(error)")
        #expect(error.operationIndex == 0)
    }

    /// §5: a failing operation fails the whole patch; the input is a value and stays as it was.
    @Test func failureLeavesTheInputAlone() throws {
        let document = try TestJSON.parse(#"{"a":[1,2,3],"b":{"c":1}}"#)
        let patch = try TestJSON.parse(
            #"[{"op":"remove","path":"/a/0"},{"op":"add","path":"/b/d","value":1},{"op":"remove","path":"/zzz"}]"#)
        #expect(throws: PatchError.self) { try JSONPatch.apply(patch: patch, to: document) }
        #expect(document == (try TestJSON.parse(#"{"a":[1,2,3],"b":{"c":1}}"#)))
    }

    /// Thousands of operations on a large document: each container copied at most once.
    @Test func manyOperationsOnALargeDocument() throws {
        let elements = (0..<20_000).map { index -> JSONValue in ["id": .number(JSONNumber(index)), "v": "x"] }
        let document: JSONValue = ["items": .array(elements)]
        var operations: [PatchOperation] = []
        for index in 0..<3_000 {
            let path = try JSONPointer("/items/\(index * 5)/v")
            operations.append(.replace(path: path, value: .number(JSONNumber(index))))
            operations.append(.test(path: path, value: .number(JSONNumber(index))))
        }
        let result = try JSONPatch.apply(operations, to: document)
        #expect(try JSONPointer("/items/14995/v").resolve(in: result) == 2_999)
        #expect(try JSONPointer("/items/14996/v").resolve(in: result) == "x")
        #expect(try JSONPointer("/items/5/v").resolve(in: document) == "x", "the input is untouched")
    }
}

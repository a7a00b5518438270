import MirrorDocument
import Testing

@Suite("JSON Patch: diff")
struct JSONPatchDiffTests {
    func diff(_ old: String, _ new: String, arrayKey: String? = nil, cap: Int = JSONPatch.defaultMaximumEditDistance)
        throws -> String
    {
        let old = try TestJSON.parse(old)
        let new = try TestJSON.parse(new)
        let operations = JSONPatch.diff(from: old, to: new, arrayKey: arrayKey, maximumEditDistance: cap)
        #expect(try JSONPatch.apply(operations, to: old) == new)
        return String(decoding: JSONPatch.serialize(operations), as: UTF8.self)
    }

    @Test func objects() throws {
        #expect(try diff(#"{"a":1,"b":{"c":[1,2]}}"#, #"{"b":{"c":[1,2]},"a":1}"#) == "[]", "member order is no change")
        #expect(try diff(#"{"a":1,"b":2}"#, #"{"b":3,"c":4}"#)
            == #"[{"op":"remove","path":"/a"},{"op":"replace","path":"/b","value":3},{"op":"add","path":"/c","value":4}]"#)
        #expect(try diff(#"{"a/b":{"~":1}}"#, #"{"a/b":{"~":2}}"#) == #"[{"op":"replace","path":"/a~1b/~0","value":2}]"#)
        #expect(try diff(#"{"n":1}"#, #"{"n":1.0}"#) == #"[{"op":"replace","path":"/n","value":1.0}]"#)
        #expect(try diff(#"{"a":1}"#, "[1]") == #"[{"op":"replace","path":"","value":[1]}]"#)
        #expect(try diff("1", "1") == "[]")
    }

    @Test func arrays() throws {
        #expect(try diff("[1,2,3,4]", "[1,3,4,5]") == #"[{"op":"remove","path":"/1"},{"op":"add","path":"/3","value":5}]"#)
        #expect(try diff("[1,2,3]", "[0,1,2,3]") == #"[{"op":"add","path":"/0","value":0}]"#)
        #expect(try diff("[1,2,3]", "[]") == #"[{"op":"remove","path":"/0"},{"op":"remove","path":"/0"},{"op":"remove","path":"/0"}]"#)
        // Changed in place: a nested replace, not remove + add.
        #expect(try diff(#"[{"id":1,"v":"a"},{"id":2,"v":"b"}]"#, #"[{"id":1,"v":"a"},{"id":2,"v":"B"}]"#)
            == #"[{"op":"replace","path":"/1/v","value":"B"}]"#)
        // Past the cap the array is replaced whole…
        #expect(try diff("[1,2,3,4]", "[5,6,7,8]", cap: 3) == #"[{"op":"replace","path":"","value":[5,6,7,8]}]"#)
        #expect(try diff("[1,2,3,4,5,6,7,8]", "[0,1,2,3,4,5,6,7]", cap: 1)
            == #"[{"op":"replace","path":"","value":[0,1,2,3,4,5,6,7]}]"#)
        // …unless it kept its length and few positions changed: then position by position.
        #expect(try diff("[1,2,3,4,5,6,7,8]", "[1,0,3,4,5,6,0,8]", cap: 3)
            == #"[{"op":"replace","path":"/1","value":0},{"op":"replace","path":"/6","value":0}]"#)
        #expect(try diff("[[1,2,3,4]]", "[[5,6,7,8]]", cap: 3) == #"[{"op":"replace","path":"/0","value":[5,6,7,8]}]"#)
    }

    @Test func keyedArrays() throws {
        let old = #"[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":3,"v":"c"},{"id":4,"v":"d"}]"#
        // The first element moved to the end: one move.
        #expect(try diff(old, #"[{"id":2,"v":"b"},{"id":3,"v":"c"},{"id":4,"v":"d"},{"id":1,"v":"a"}]"#, arrayKey: "id")
            == #"[{"op":"move","path":"/3","from":"/0"}]"#)
        // Removed, added, moved and changed at once.
        #expect(try diff(old, #"[{"id":4,"v":"d"},{"id":5,"v":"e"},{"id":1,"v":"A"},{"id":3,"v":"c"}]"#, arrayKey: "id")
            == #"[{"op":"remove","path":"/1"},{"op":"move","path":"/0","from":"/2"},"#
            + #"{"op":"add","path":"/1","value":{"id":5,"v":"e"}},{"op":"replace","path":"/2/v","value":"A"}]"#)
        // Not keyable (a duplicate id): element diff instead.
        _ = try diff(#"[{"id":1},{"id":1}]"#, #"[{"id":1,"x":2}]"#, arrayKey: "id")
        _ = try diff(#"[{"id":1},2]"#, #"[2,{"id":1}]"#, arrayKey: "id")
    }

    /// A field changed in every 100th of 5,000 records: past the cap (D = 100 > 64), yet one
    /// nested replace per changed record, not the whole array.
    @Test func manyInPlaceChangesPastTheCap() throws {
        let old = (0..<5_000).map { index -> JSONValue in ["id": .number(JSONNumber(index)), "seen": false] }
        var new = old
        for index in stride(from: 0, to: new.count, by: 100) { new[index] = ["id": .number(JSONNumber(index)), "seen": true] }
        let operations = JSONPatch.diff(from: .array(old), to: .array(new), maximumEditDistance: 64)
        #expect(operations.count == 50)
        #expect(operations.first == .replace(path: JSONPointer(tokens: ["0", "seen"]), value: true))
        #expect(try JSONPatch.apply(operations, to: .array(old)) == .array(new))
    }

    /// A few edits in a 50,000-element array give element-level operations.
    @Test func largeArrayWithFewEdits() throws {
        let old = (0..<50_000).map { index -> JSONValue in ["id": .number(JSONNumber(index)), "name": "item"] }
        var new = old
        new[10] = ["id": 10, "name": "changed"]
        new.remove(at: 20_000)
        new.insert(["id": -1, "name": "new"], at: 30_000)
        new[49_000] = ["id": 49_000, "name": "changed too"]
        new.append(["id": 50_000, "name": "last"])
        for key in [nil, "id"] as [String?] {
            let operations = JSONPatch.diff(from: .array(old), to: .array(new), arrayKey: key)
            #expect(operations.count == 5, "\(operations)")
            #expect(try JSONPatch.apply(operations, to: .array(old)) == .array(new))
        }
    }
}

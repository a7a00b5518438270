import MirrorDocument
import Testing

@Suite("JSON Merge Patch (RFC 7396)")
struct JSONMergePatchTests {
    /// RFC 7396 Appendix A: original, patch, result.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func appendixA(original: String, patch: String, result: String) throws {
        let original = try TestJSON.parse(original)
        let result = try TestJSON.parse(result)
        #expect(JSONMergePatch.apply(try TestJSON.parse(patch), to: original) == result)
        // And the generator finds a patch for each, where one exists.
        if let generated = JSONMergePatch.diff(from: original, to: result) {
            #expect(JSONMergePatch.apply(generated, to: original) == result, "\(generated.text)")
        }
    }

    @Test func diffExamples() throws {
        func diff(_ old: String, _ new: String) throws -> String? {
            JSONMergePatch.diff(from: try TestJSON.parse(old), to: try TestJSON.parse(new))?.text
        }
        #expect(try diff(#"{"a":1,"b":{"c":2,"d":3}}"#, #"{"a":1,"b":{"c":2,"d":4},"e":[null]}"#)
            == #"{"b":{"d":4},"e":[null]}"#)
        #expect(try diff(#"{"a":1,"b":2}"#, #"{"b":2}"#) == #"{"a":null}"#)
        #expect(try diff(#"{"a":1}"#, #"{"a":1}"#) == "{}")
        #expect(try diff(#"{"a":1}"#, #"{"a":1.0}"#) == #"{"a":1.0}"#, "a respelled number is a change")
        #expect(try diff(#"{"a":1}"#, "[1]") == "[1]")
        #expect(try diff("[1]", #"{"a":{"b":1}}"#) == #"{"a":{"b":1}}"#)
        // What a merge patch cannot say.
        #expect(try diff(#"{"a":1}"#, #"{"a":null}"#) == nil)
        #expect(try diff(#"{}"#, #"{"a":null}"#) == nil)
        #expect(try diff(#"{"a":1}"#, #"{"a":{"b":null}}"#) == nil)
        #expect(try diff("[]", #"{"b":null}"#) == nil)
        #expect(try diff(#"{"a":{"b":null}}"#, #"{"a":{"b":null},"c":1}"#) == #"{"c":1}"#, "unchanged nulls are fine")
    }
}

import MirrorCore
import MirrorDocument
import Testing

/// Issue 17: keys and strings compare by Unicode scalars, not by Swift's canonical equivalence.
/// `é` written as U+00E9 (NFC) and as `e` + U+0301 (NFD) are two keys and two strings, and every
/// one of them keeps the bytes it was written in. Strings are compared here by their UTF-8 bytes,
/// since `#expect(a == b)` on two `String`s would itself equate the spellings.
@Suite("Unicode spellings")
struct UnicodeSpellingTests {
    static let nfc = "\u{E9}"
    static let nfd = "e\u{301}"

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    func serialized(_ value: JSONValue) -> [UInt8] { JSONSerializer.serialize(value) }

    func object(_ value: JSONValue) throws -> JSONObject {
        guard case .object(let object) = value else { throw DocumentError(line: nil, column: nil, message: "\(value)") }
        return object
    }

    @Test func theTwoSpellingsAreEqualAsSwiftStringsButNotAsScalars() {
        #expect(Self.nfc == Self.nfd)  // what the old code relied on
        #expect(!Self.nfc.hasSameScalars(as: Self.nfd))
        #expect(ScalarString(Self.nfc) != ScalarString(Self.nfd))
        #expect(Set([ScalarString(Self.nfc), ScalarString(Self.nfd)]).count == 2)
        #expect(Self.nfc.hasSameScalars(as: "\u{E9}") && "".hasSameScalars(as: ""))
        // Long (heap) strings too, and by byte order: "e" (0x65) sorts before 0xC3 0xA9.
        let long = String(repeating: "x", count: 40)
        #expect(!(long + Self.nfc).hasSameScalars(as: long + Self.nfd))
        #expect((long + Self.nfc).hasSameScalars(as: String(long + Self.nfc)))
        #expect(Self.nfd.scalarsPrecede(Self.nfc) && !Self.nfc.scalarsPrecede(Self.nfd))
        #expect(["b", Self.nfc, "a", Self.nfd, "Z"].map { ScalarString($0) }.sorted().map { bytes($0.string) }
            == ["Z", "a", "b", Self.nfd, Self.nfc].map { bytes($0) })
    }

    @Test(arguments: [.json, .yaml] as [DocumentFormat])
    func oneKeyInEachSpellingIsTwoKeysKeptAsWritten(format: DocumentFormat) throws {
        let text = format == .json ? #"{"\#(Self.nfc)":1,"\#(Self.nfd)":2}"# : "\(Self.nfc): 1\n\(Self.nfd): 2\n"
        let object = try object(try DocumentReader.read(bytes(text), format: format))
        #expect(object.count == 2)
        #expect(object.keys.map { bytes($0) } == [bytes(Self.nfc), bytes(Self.nfd)])
        #expect(object[Self.nfc] == 1 && object[Self.nfd] == 2)
        // Serialized as written: no normalisation either way.
        #expect(serialized(.object(object)) == bytes(#"{"\#(Self.nfc)":1,"\#(Self.nfd)":2}"#))
        // A real duplicate is still one.
        let duplicate = format == .json ? #"{"\#(Self.nfd)":1,"\#(Self.nfd)":2}"# : "\(Self.nfd): 1\n\(Self.nfd): 2\n"
        #expect(throws: DocumentError.self) { try DocumentReader.read(bytes(duplicate), format: format) }
    }

    /// Past the parser's linear scan (12 members) the duplicate check goes through a set.
    @Test func largeObjectsToo() throws {
        let filler = (0..<40).map { #""k\#($0)":0"# }.joined(separator: ",")
        let text = #"{\#(filler),"\#(Self.nfc)":1,"\#(Self.nfd)":2}"#
        let object = try object(try JSONParser.parse(bytes(text)))
        #expect(object.count == 42)
        #expect(object[Self.nfc] == 1 && object[Self.nfd] == 2)
        #expect(object.index(forKey: Self.nfd) == 41)
        #expect(throws: DocumentError.self) { try JSONParser.parse(bytes(#"{\#(filler),"\#(Self.nfd)":1,"\#(Self.nfd)":2}"#)) }
    }

    @Test func lookupAndEditingMatchTheExactSpelling() {
        for size in [1, 40] {  // a scan, and the index of a large object
            var object = JSONObject()
            for index in 0..<size - 1 { object["k\(index)"] = 0 }
            object[Self.nfc] = 1
            #expect(object[Self.nfd] == nil)
            object[Self.nfd] = 2
            #expect(object.count == size + 1)
            object[Self.nfc] = nil
            #expect(object.count == size && object[Self.nfd] == 2 && object[Self.nfc] == nil)
        }
    }

    @Test func aDocumentRewrittenInTheOtherSpellingIsAnotherDocument() {
        let nfcValue: JSONValue = ["k": .string(Self.nfc)]
        let nfdValue: JSONValue = ["k": .string(Self.nfd)]
        #expect(nfcValue != nfdValue)
        #expect(JSONValue.string(Self.nfc) != .string(Self.nfd))
        #expect(Set([nfcValue, nfdValue]).count == 2)
        let nfcKey: JSONValue = [Self.nfc: 1]
        let nfdKey: JSONValue = [Self.nfd: 1]
        #expect(nfcKey != nfdKey)
        #expect(Set([nfcKey, nfdKey]).count == 2)
        // The stream publishes it.
        var state = StreamState<Document>()
        _ = state.document(Document(nfcValue))
        #expect(state.document(Document(nfdValue)) != nil)
        #expect(state.version == 2)
    }

    @Test(arguments: [nil, "id"] as [String?])
    func aPatchBetweenTheSpellingsIsNotEmptyAndApplies(arrayKey: String?) throws {
        let old = try JSONParser.parse(bytes(#"{"k":"\#(Self.nfc)","\#(Self.nfc)":1,"list":[{"id":"\#(Self.nfc)"},{"id":"\#(Self.nfd)"}]}"#))
        let new = try JSONParser.parse(bytes(#"{"k":"\#(Self.nfd)","\#(Self.nfd)":1,"list":[{"id":"\#(Self.nfd)"},{"id":"\#(Self.nfc)"}]}"#))
        let operations = JSONPatch.diff(from: old, to: new, arrayKey: arrayKey)
        #expect(!operations.isEmpty)
        let applied = try JSONPatch.apply(operations, to: old)
        #expect(applied == new)
        // Byte for byte what the new document serializes to, member order aside: the added key goes last.
        #expect(serialized(applied) == bytes(#"{"k":"\#(Self.nfd)","list":[{"id":"\#(Self.nfd)"},{"id":"\#(Self.nfc)"}],"\#(Self.nfd)":1}"#))
        // And through its text, as a client gets it.
        let patch = try JSONParser.parse(JSONPatch.serialize(operations))
        #expect(try JSONPatch.apply(patch: patch, to: old) == new)
    }

    @Test func aMergePatchBetweenTheSpellings() throws {
        let old: JSONValue = ["k": .string(Self.nfc), Self.nfc: 1]
        let new: JSONValue = ["k": .string(Self.nfd), Self.nfd: 1]
        let patch = try #require(JSONMergePatch.diff(from: old, to: new))
        #expect(serialized(patch) == bytes(#"{"\#(Self.nfc)":null,"k":"\#(Self.nfd)","\#(Self.nfd)":1}"#))
        #expect(JSONMergePatch.apply(patch, to: old) == new)
    }

    @Test func pointersMatchTheExactSpelling() throws {
        let nfc = try JSONPointer("/\(Self.nfc)")
        let nfd = try JSONPointer("/\(Self.nfd)")
        #expect(nfc != nfd)
        #expect(Set([nfc, nfd]).count == 2)
        #expect(!nfc.isProperPrefix(of: try JSONPointer("/\(Self.nfd)/x")))
        let document: JSONValue = [Self.nfc: 1, Self.nfd: 2]
        #expect(nfc.resolve(in: document) == 1 && nfd.resolve(in: document) == 2)
        // A move from one spelling to the other is a move, not a no-op.
        let moved = try JSONPatch.apply([.move(from: nfc, path: try JSONPointer("/\(Self.nfd)x"))], to: [Self.nfc: 1])
        #expect(serialized(moved) == bytes(#"{"\#(Self.nfd)x":1}"#))
        let renamed = try JSONPatch.apply([.move(from: nfc, path: nfd)], to: [Self.nfc: 1])
        #expect(serialized(renamed) == bytes(#"{"\#(Self.nfd)":1}"#))
    }

    @Test func transformRulesMatchKeysByScalars() throws {
        let document: JSONValue = [Self.nfc: "c", Self.nfd: "d", "caf\(Self.nfc)s": "cs", "caf\(Self.nfd)s": "ds"]
        let pick = try Transform([.pick([Self.nfc])]).apply(to: document)
        #expect(serialized(pick) == bytes(#"{"\#(Self.nfc)":"c"}"#))
        let omit = try Transform([.omit([try PathPattern(Self.nfd), try PathPattern("/caf\(Self.nfd)s")])]).apply(to: document)
        #expect(serialized(omit) == bytes(#"{"\#(Self.nfc)":"c","caf\#(Self.nfc)s":"cs"}"#))
        // A glob's literal pieces too: `caf<NFC>*` matches only the NFC key; `*<NFD>s` only the NFD one.
        let glob = try Transform([.redact([try PathPattern("caf\(Self.nfc)*"), try PathPattern("*\(Self.nfd)s")])]).apply(to: document)
        #expect(serialized(glob) == bytes(#"{"\#(Self.nfc)":"c","\#(Self.nfd)":"d","caf\#(Self.nfc)s":"[redacted]","caf\#(Self.nfd)s":"[redacted]"}"#))
        let onlyNFC = try Transform([.redact([try PathPattern("caf\(Self.nfc)*")])]).apply(to: document)
        #expect(serialized(onlyNFC) == bytes(#"{"\#(Self.nfc)":"c","\#(Self.nfd)":"d","caf\#(Self.nfc)s":"[redacted]","caf\#(Self.nfd)s":"ds"}"#))
        // A reload that respells a rule changes it.
        #expect(TransformRule.pick([Self.nfc]) != .pick([Self.nfd]))
        #expect(try PathPattern(Self.nfc) != PathPattern(Self.nfd))
        #expect(TransformRule.select(try JSONPointer("/\(Self.nfc)")) != .select(try JSONPointer("/\(Self.nfd)")))
    }

    @Test func configMappingKeysInEachSpellingAreTwoKeys() throws {
        let node = try #require(try YAMLParser.parse(bytes("\(Self.nfc): 1\n\(Self.nfd): 2\n")))
        guard case .mapping(let entries) = node.kind else { return #expect(Bool(false), "\(node)") }
        #expect(entries.map { bytes($0.key) } == [bytes(Self.nfc), bytes(Self.nfd)])
        #expect(throws: YAMLError.self) { try YAMLParser.parse(bytes("\(Self.nfd): 1\n\(Self.nfd): 2\n")) }
    }
}

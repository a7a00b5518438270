import MirrorDocument
import MirrorTestSupport
import Testing

/// The bound on what a JSON Patch may build (``JSONPatch/maximumResultSize``, nesting at
/// ``JSONParser/maximumDepth``): a few bytes of `copy` cannot make a client serialize a terabyte.
@Suite("patch bound", .timeLimit(.minutes(2)))
struct PatchBoundTests {
    /// The issue's document: about 1 KB of members.
    static let kilobyte: JSONValue = {
        var object = JSONObject()
        for index in 0..<50 { object["k\(index)"] = .string(String(repeating: "v", count: 10)) }
        return .object(object)
    }()

    /// The issue's patch: forty copies of the root, each doubling the document.
    static let fortyCopies: [PatchOperation] = (0..<40).map { .copy(from: JSONPointer(tokens: []), path: JSONPointer(tokens: ["c\($0)"])) }

    static func failure(_ operations: [PatchOperation], to document: JSONValue, size: Int? = nil, limit: Int = JSONPatch.maximumResultSize) -> PatchError? {
        do {
            _ = try JSONPatch.apply(operations, to: document, size: size ?? document.compactSize, limit: limit)
            return nil
        } catch {
            return error
        }
    }

    @Test func fortyCopiesOfTheRootFailAtTheBound() throws {
        let started = ContinuousClock.now
        let error = try #require(Self.failure(Self.fortyCopies, to: Self.kilobyte))
        #expect(error.code == .resultTooLarge)
        // 941 bytes doubled sixteen times passes 64 MiB: the seventeenth copy is refused.
        #expect(error.operationIndex == 16)
        #expect(error.pointer == "/c16")
        #expect(error.description.contains("larger than 64 MiB"), "\(error)")
        // The walk stops at the bound: seconds in a debug build, never the terabyte.
        #expect(ContinuousClock.now - started < .seconds(60))
        // The plain entry point is bounded the same way (a follower's side: FollowedPatchBoundTests).
        #expect(throws: PatchError.self) { try JSONPatch.apply(Self.fortyCopies, to: Self.kilobyte) }
    }

    /// `{"s":"x…"}` copied to `/tt` is `2 × length + 16` bytes: exactly the bound applies, a byte
    /// more (the key `/ttt`) does not.
    @Test func aResultOfExactlyTheBoundApplies() throws {
        let length = (JSONPatch.maximumResultSize - 16) / 2
        let document: JSONValue = ["s": .string(String(repeating: "x", count: length))]
        let (result, size) = try JSONPatch.apply([.copy(from: JSONPointer(tokens: ["s"]), path: JSONPointer(tokens: ["tt"]))], to: document, size: document.compactSize)
        #expect(size == JSONPatch.maximumResultSize)
        #expect(JSONSerializer.serialize(result).count == JSONPatch.maximumResultSize)
        let over = try #require(Self.failure([.copy(from: JSONPointer(tokens: ["s"]), path: JSONPointer(tokens: ["ttt"]))], to: document))
        #expect(over.code == .resultTooLarge)
    }

    /// Every kind of operation keeps the count exact, escapes included, and a failure at the bound
    /// is the only kind of failure the bound adds.
    @Test func theCountMatchesTheSerializedResult() throws {
        var applied = 0
        for seed in UInt64(0)..<400 {
            var random = RandomJSON(seed: seed)
            var document = random.value(depth: 4)
            var size = document.compactSize
            #expect(size == JSONSerializer.serialize(document).count, "seed \(seed): \(document.text)")
            for _ in 0..<12 {
                let operation = Self.randomOperation(in: document, using: &random)
                guard let (result, counted) = try? JSONPatch.apply([operation], to: document, size: size) else { continue }
                applied += 1
                let actual = JSONSerializer.serialize(result).count
                #expect(counted == actual, "seed \(seed): \(JSONPatch.serialize([operation])) on \(document.text)")
                guard counted == actual else { return }
                (document, size) = (result, counted)
            }
        }
        #expect(applied > 2000)
    }

    /// Replacing a large value with another as large fits when the document stays under the bound,
    /// however little room is left: the old value's bytes are given back first.
    @Test(arguments: ["replace", "add"])
    func replacingALargeValueCountsWhatItFrees(op: String) throws {
        let big = String(repeating: "a", count: 1000)
        let document: JSONValue = ["big": .string(big), "n": 1]
        let limit = document.compactSize + 5
        let operation: PatchOperation = op == "replace"
            ? .replace(path: JSONPointer(tokens: ["big"]), value: .string(big + "bb"))
            : .add(path: JSONPointer(tokens: ["big"]), value: .string(big + "bb"))
        let (_, size) = try JSONPatch.apply([operation], to: document, size: document.compactSize, limit: limit)
        #expect(size == limit - 3)
        let grown: PatchOperation = .replace(path: JSONPointer(tokens: ["big"]), value: .string(big + "bbbbbb"))
        #expect(Self.failure([grown], to: document, limit: limit)?.code == .resultTooLarge)
    }

    /// A copy into an array, nested copies, a move and a removal in one patch: counted through.
    @Test func aSequenceIsBoundedAsItGoes() throws {
        let document = try TestJSON.parse(#"{"list":[1,2],"o":{"s":"\u0001\"é\u2028"}}"#)
        let operations = try JSONPatch.operations(from: TestJSON.parse(#"""
            [{"op":"copy","from":"/o","path":"/list/0"},{"op":"copy","from":"/list","path":"/o/list"},
             {"op":"move","from":"/o/list","path":"/moved"},{"op":"remove","path":"/list/1"},
             {"op":"add","path":"/list/-","value":{"k":[true,null]}},{"op":"replace","path":"","value":{"all":[[]]}},
             {"op":"copy","from":"/all","path":"/all/0/-"}]
            """#))
        var document2 = document
        var size = document.compactSize
        for operation in operations {
            (document2, size) = try JSONPatch.apply([operation], to: document2, size: size)
            #expect(size == JSONSerializer.serialize(document2).count, "after \(JSONPatch.serialize([operation]))")
        }
        let whole = try JSONPatch.apply(operations, to: document, size: document.compactSize)
        #expect(whole.document == document2 && whole.size == size)
        // The document on the way was larger than both ends: the bound holds at every step.
        #expect(size < document.compactSize)
        #expect(Self.failure(operations, to: document, limit: document.compactSize + 10)?.code == .resultTooLarge)
    }

    /// A document larger than the bound already (a server with a larger `max_size`) takes patches
    /// that do not make it larger, and no others.
    @Test func aLargerDocumentMayStayAsLarge() throws {
        let document: JSONValue = ["a": .string(String(repeating: "x", count: 200)), "n": 1]
        let size = document.compactSize
        let (_, same) = try JSONPatch.apply([.replace(path: JSONPointer(tokens: ["n"]), value: 2)], to: document, size: size, limit: 100)
        #expect(same == size)
        #expect(Self.failure([.replace(path: JSONPointer(tokens: ["n"]), value: 22)], to: document, limit: 100)?.code == .resultTooLarge)
        let (_, smaller) = try JSONPatch.apply([.remove(path: JSONPointer(tokens: ["n"]))], to: document, size: size, limit: 100)
        #expect(smaller == size - 6)
    }

    /// Copying a value and removing it again looks at it twice each time: a patch may look at
    /// four times the bound in all, so a few KB of such pairs cost that much, not minutes.
    @Test func theWorkOfOnePatchIsBounded() throws {
        let document: JSONValue = ["v": .string(String(repeating: "x", count: 98))]
        let pair: [PatchOperation] = [.copy(from: JSONPointer(tokens: ["v"]), path: JSONPointer(tokens: ["w"])), .remove(path: JSONPointer(tokens: ["w"]))]
        // Each pair looks at 200 bytes: 19 pairs are 3,800 of the 4,000 a 1,000-byte bound allows.
        let fits = try JSONPatch.apply(Array(repeating: pair, count: 19).flatMap { $0 }, to: document, size: document.compactSize, limit: 1000)
        #expect(fits.document == document && fits.size == document.compactSize)
        let error = try #require(Self.failure(Array(repeating: pair, count: 21).flatMap { $0 }, to: document, limit: 1000))
        #expect(error.code == .tooMuchWork, "\(error)")
        #expect(error.operationIndex == 40)
        #expect(error.description.contains("the patch would look at more than 4000 bytes of values"), "\(error)")
    }

    /// Moves that nest a value one level deeper each time stop at the parser's depth; the 100,000
    /// levels they would otherwise build end the process when freed or serialized.
    @Test func nestingIsBounded() throws {
        var operations: [PatchOperation] = []
        for _ in 0..<1000 {
            operations += [
                .add(path: JSONPointer(tokens: ["b"]), value: [:]),
                .move(from: JSONPointer(tokens: ["a"]), path: JSONPointer(tokens: ["b", "a"])),
                .move(from: JSONPointer(tokens: ["b"]), path: JSONPointer(tokens: ["a"])),
            ]
        }
        let error = try #require(Self.failure(operations, to: ["a": [:]]))
        #expect(error.code == .resultTooDeep, "\(error)")
        #expect(error.description.contains("deeper than 512 levels"))
        // Up to the bound it applies: 511 levels under the root.
        let fits = try JSONPatch.apply(Array(operations.prefix(3 * 510)), to: ["a": [:]])
        #expect(fits.extent().height == JSONParser.maximumDepth)
        // An add of a deep value at a deep path, and a copy there, are measured the same way.
        // 500 levels placed under 12 tokens fit (512); under 13 they do not.
        let deep = try TestJSON.parse(String(repeating: "[", count: 500) + String(repeating: "]", count: 500))
        let nested: JSONValue = ["d": deep]
        let fitting = try JSONPointer("/d" + String(repeating: "/0", count: 10) + "/-")
        let tooDeep = try JSONPointer("/d" + String(repeating: "/0", count: 11) + "/-")
        #expect(try JSONPatch.apply([.copy(from: JSONPointer(tokens: ["d"]), path: fitting)], to: nested).extent().height == 512)
        #expect(Self.failure([.copy(from: JSONPointer(tokens: ["d"]), path: tooDeep)], to: nested)?.code == .resultTooDeep)
        #expect(Self.failure([.add(path: tooDeep, value: deep)], to: nested)?.code == .resultTooDeep)
    }

    /// A random operation on `document`, at paths that mostly exist.
    static func randomOperation(in document: JSONValue, using random: inout RandomJSON) -> PatchOperation {
        let paths = pointers(in: document)
        let any = paths[random.int(0..<paths.count)]
        let other = paths[random.int(0..<paths.count)]
        let target = newPlace(under: other, in: document, using: &random)
        switch random.int(0..<6) {
        case 0: return .add(path: target, value: random.value(depth: 2))
        case 1: return .remove(path: any)
        case 2: return .replace(path: any, value: random.value(depth: 2))
        case 3: return .move(from: any, path: target)
        case 4: return .copy(from: any, path: target)
        default: return .copy(from: any, path: any)
        }
    }

    /// A place to add at: a new or existing key of an object, an index or `-` of an array.
    static func newPlace(under pointer: JSONPointer, in document: JSONValue, using random: inout RandomJSON) -> JSONPointer {
        switch pointer.resolve(in: document) {
        case .object(let object)?:
            let key = object.isEmpty || random.chance(50) ? RandomJSON.keys[random.int(0..<RandomJSON.keys.count)] : object.keys[random.int(0..<object.count)]
            return pointer.appending(key)
        case .array(let elements)?:
            return pointer.appending(random.chance(30) ? "-" : String(random.int(0..<elements.count + 1)))
        default:
            return pointer
        }
    }

    /// The pointer of every value in `document`, the root first.
    static func pointers(in document: JSONValue, at pointer: JSONPointer = JSONPointer(tokens: [])) -> [JSONPointer] {
        switch document {
        case .object(let object):
            return [pointer] + object.flatMap { pointers(in: $0.value, at: pointer.appending($0.key)) }
        case .array(let elements):
            return [pointer] + elements.enumerated().flatMap { pointers(in: $0.element, at: pointer.appending(String($0.offset))) }
        default:
            return [pointer]
        }
    }
}

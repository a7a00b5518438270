import MirrorDocument
import Testing

/// apply(diff(a, b), a) == b over thousands of seeded random pairs. A failure prints its seed;
/// `RandomJSON(seed:)` with that seed replays the case.
@Suite("Diff properties")
struct DiffPropertyTests {
    static let pairs = 2_500

    /// The pairs of one property: b is a with a few local edits, or (one time in five) unrelated.
    static func pairs(seed: UInt64, arrayKey: String?) -> [(seed: UInt64, old: JSONValue, new: JSONValue)] {
        (0..<UInt64(pairs)).map { offset in
            let caseSeed = seed &+ offset
            var random = RandomJSON(seed: caseSeed, arrayKey: arrayKey)
            let old: JSONValue
            if arrayKey != nil {
                old = ["items": random.keyedArray(depth: 2), "other": random.value(depth: 3)]
            } else {
                old = random.value(depth: 4)
            }
            let new = random.chance(20) ? random.value(depth: 4) : random.mutated(old, edits: random.int(1..<5))
            return (caseSeed, old, new)
        }
    }

    @Test(arguments: [nil, "id"] as [String?])
    func jsonPatchRoundTrips(arrayKey: String?) throws {
        var operationCount = 0
        for (seed, old, new) in Self.pairs(seed: arrayKey == nil ? 0x6902 : 0x6902_1D, arrayKey: arrayKey) {
            // Every fourth pair also with a small cap, so the whole-array fallback is exercised,
            // and with its patch read back through the JSON text (kept to a quarter for time).
            let thorough = seed % 4 == 0
            for cap in thorough ? [JSONPatch.defaultMaximumEditDistance, 2] : [JSONPatch.defaultMaximumEditDistance] {
                let operations = JSONPatch.diff(from: old, to: new, arrayKey: arrayKey, maximumEditDistance: cap)
                operationCount += operations.count
                let bytes = JSONPatch.serialize(operations)
                let text = String(decoding: bytes, as: UTF8.self)
                if thorough {
                    // The serialized patch is valid JSON and reads back as the same operations.
                    let reread = try JSONPatch.operations(from: TestJSON.parse(text))
                    #expect(reread == operations, "seed \(seed)")
                }
                let result = try JSONPatch.apply(operations, to: old)
                let same = result == new
                #expect(same, "seed \(seed): \(old.text) → \(new.text) by \(text) gave \(result.text)")
                if !same { return }
            }
            #expect(JSONPatch.diff(from: old, to: old, arrayKey: arrayKey).isEmpty, "seed \(seed)")
            #expect(JSONPatch.diff(from: new, to: new, arrayKey: arrayKey).isEmpty, "seed \(seed)")
        }
        #expect(operationCount > Self.pairs, "the pairs do differ")
    }

    /// With a key, a shuffled array of identified objects gives moves, never element replaces.
    @Test func keyedReorderGivesMoves() throws {
        for seed in UInt64(0)..<300 {
            var random = RandomJSON(seed: seed, arrayKey: "id")
            guard case .array(var elements) = random.keyedArray(depth: 1), elements.count > 1 else { continue }
            let old = JSONValue.array(elements)
            elements.shuffle(using: &random.random)
            let operations = JSONPatch.diff(from: old, to: .array(elements), arrayKey: "id")
            #expect(operations.allSatisfy { $0.name == "move" }, "seed \(seed)")
            #expect(operations.count < elements.count, "seed \(seed)")
            #expect(try JSONPatch.apply(operations, to: old) == .array(elements), "seed \(seed)")
        }
    }

    @Test func mergePatchRoundTrips() throws {
        var expressed = 0
        for (seed, old, new) in Self.pairs(seed: 0x7396, arrayKey: nil) {
            // A document against itself: `{}` for an object (§2 merges, changing nothing), the
            // document itself otherwise (§2 substitutes it); either way, applying it is a no-op.
            let identity = try #require(JSONMergePatch.diff(from: old, to: old), "seed \(seed)")
            #expect(identity == (isObject(old) ? [:] : old), "seed \(seed)")
            #expect(JSONMergePatch.apply(identity, to: old) == old, "seed \(seed)")
            guard let patch = JSONMergePatch.diff(from: old, to: new) else { continue }
            expressed += 1
            let result = JSONMergePatch.apply(patch, to: old)
            let same = result == new
            #expect(same, "seed \(seed): \(old.text) → \(new.text) by \(patch.text) gave \(result.text)")
            if !same { return }
        }
        #expect(expressed > Self.pairs / 2, "most pairs are expressible (\(expressed))")
    }

    private func isObject(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }
}

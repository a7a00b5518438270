import Glibc
import MirrorDocument
import Testing

/// Timings to read by hand, in a release build; nothing here asserts a duration. Runs only when
/// `MIRROR_DIFF_PERF` is set:
///
///     swift build -c release --build-tests
///     MIRROR_DIFF_PERF=1 swift test -c release --skip-build --filter DiffPerformanceCheck
@Suite("Diff performance (by hand)", .enabled(if: getenv("MIRROR_DIFF_PERF") != nil))
struct DiffPerformanceCheck {
    static func records(_ count: Int) -> [JSONValue] {
        (0..<count).map { index -> JSONValue in
            [
                "id": .number(JSONNumber(index)), "name": .string("record \(index)"),
                "price": .number(JSONNumber(uncheckedText: "\(index % 1000).\(index % 97)")),
                "tags": ["a", "b", .string("t\(index % 13)")], "active": .bool(index % 3 == 0),
                "owner": ["first": "Ada", "last": "Lovelace", "city": .string("City \(index % 50)")],
            ]
        }
    }

    static func edited(_ records: [JSONValue]) -> [JSONValue] {
        var new = records
        let middle = records.count / 2
        new[10] = Self.renamed(new[10])
        new.remove(at: middle)
        new.insert(["id": -1, "name": "inserted"], at: middle + 100)
        new[records.count - 20] = Self.renamed(new[records.count - 20])
        new.append(["id": -2, "name": "appended"])
        return new
    }

    static func renamed(_ record: JSONValue) -> JSONValue {
        guard case .object(var object) = record else { return record }
        object["name"] = "renamed"
        return .object(object)
    }

    func measure(_ label: String, old: JSONValue, new: JSONValue, arrayKey: String?) throws {
        let clock = ContinuousClock()
        var operations: [PatchOperation] = []
        let diffTime = clock.measure {
            operations = JSONPatch.diff(from: old, to: new, arrayKey: arrayKey)
        }
        var bytes: [UInt8] = []
        let serializeTime = clock.measure { bytes = JSONPatch.serialize(operations) }
        var result = JSONValue.null
        let applyTime = try clock.measure { result = try JSONPatch.apply(operations, to: old) }
        let size = JSONSerializer.serialize(new).count
        print(
            "\(label) (\(size / 1_000) kB, key \(arrayKey ?? "none")): diff \(diffTime), \(operations.count) ops, "
                + "\(bytes.count) bytes (serialize \(serializeTime)), apply \(applyTime)")
        #expect(result == new)
    }

    @Test func fiftyThousandRecordsWithFiveEdits() throws {
        let old = Self.records(50_000)
        let new = Self.edited(old)
        for key in [nil, "id"] as [String?] {
            try measure("50,000 records, 5 edits", old: .array(old), new: .array(new), arrayKey: key)
        }
    }

    @Test func tenMegabyteDocument() throws {
        let old = Self.records(70_000)
        var new = Self.edited(old)
        new.swapAt(5, 60_000)
        let wrap = { (records: [JSONValue]) -> JSONValue in ["version": 1, "records": .array(records)] }
        for key in [nil, "id"] as [String?] {
            try measure("10 MB document", old: wrap(old), new: wrap(new), arrayKey: key)
        }
        let clock = ContinuousClock()
        var merge: JSONValue?
        let mergeTime = clock.measure { merge = JSONMergePatch.diff(from: wrap(old), to: wrap(new)) }
        print("10 MB document: merge diff \(mergeTime), \(merge.map { JSONSerializer.serialize($0).count } ?? -1) bytes")
        let equalTime = clock.measure { _ = JSONPatch.diff(from: wrap(old), to: wrap(old)) }
        print("10 MB document: diff with itself \(equalTime)")
    }

    /// Applying thousands of operations: into a large array, and into a large object (whose
    /// member lookup is a linear scan of its keys, per operation).
    @Test func applyThousandsOfOperations() throws {
        let clock = ContinuousClock()
        let array = JSONValue.array(Self.records(50_000))
        var operations: [PatchOperation] = []
        for index in 0..<5_000 {
            operations.append(.replace(path: JSONPointer(tokens: [String(index * 10), "name"]), value: "x"))
        }
        let arrayTime = try clock.measure { _ = try JSONPatch.apply(operations, to: array) }
        let object = JSONObject(uniqueKeys: (0..<50_000).map { "key \($0)" }, values: Self.records(50_000))
        operations = (0..<5_000).map { index in
            .replace(path: JSONPointer(tokens: ["key \(index * 10)", "name"]), value: "x")
        }
        let objectTime = try clock.measure { _ = try JSONPatch.apply(operations, to: .object(object)) }
        print("apply 5,000 replaces: in a 50,000-element array \(arrayTime), in a 50,000-member object \(objectTime)")
    }

    /// Past the cap: every 100th of 50,000 records changed (D = 1,000 > 256), and an array of
    /// 50,000 equal numbers with 300 scattered removals (long snakes on every diagonal).
    @Test func pastTheCap() throws {
        let old = Self.records(50_000)
        var new = old
        for index in stride(from: 0, to: new.count, by: 100) { new[index] = Self.renamed(new[index]) }
        for key in [nil, "id"] as [String?] {
            try measure("50,000 records, 500 edits", old: .array(old), new: .array(new), arrayKey: key)
        }
        let ones = [JSONValue](repeating: 1, count: 50_000)
        var fewer = ones
        for index in stride(from: 49_000, to: 0, by: -160) { fewer[index] = 2 }
        try measure("50,000 equal numbers, 300 changed", old: .array(ones), new: .array(fewer), arrayKey: nil)
    }
}

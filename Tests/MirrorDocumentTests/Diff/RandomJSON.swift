import MirrorDocument
import MirrorTestSupport

/// Random documents and small random edits of them, for the diff properties.
struct RandomJSON {
    var random: SplitMix64
    /// The member that identifies elements of keyed arrays, or nil for free-form documents.
    var arrayKey: String?
    private var nextIdentity = 1_000

    init(seed: UInt64, arrayKey: String? = nil) {
        random = SplitMix64(seed: seed)
        self.arrayKey = arrayKey
    }

    /// Keys with the characters pointers escape, empty keys and non-ASCII ones.
    static let keys = ["a", "b", "c", "id", "", "a/b", "~", "~1", "/", "m~n", "ключ", "🙂", "e\u{301}", "x y", "\"q\""]
    /// Every shape RFC 8259 §6 allows, some equal by value but spelled differently.
    static let numbers = [
        "0", "-0", "1", "-1", "1.0", "1.50", "1.5", "1e5", "1E+5", "1e-5", "100000", "0.0", "-0.0e0",
        "12345678901234567890123456789", "-98765432109876543210.5", "3.14159", "2E10",
    ]
    static let strings = ["", "x", "hello", "ü", "line\nbreak", "tab\t", "quote\"", "back\\slash", "🙂", "\u{2028}"]

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }

    mutating func scalar() -> JSONValue {
        switch int(0..<5) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2, 3: return .number(JSONNumber(uncheckedText: Self.numbers[int(0..<Self.numbers.count)]))
        default: return .string(Self.strings[int(0..<Self.strings.count)])
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        guard depth > 0, chance(60) else { return scalar() }
        if arrayKey != nil, chance(40) { return keyedArray(depth: depth - 1) }
        return chance(50) ? object(depth: depth - 1) : array(depth: depth - 1)
    }

    mutating func object(depth: Int) -> JSONValue {
        var object = JSONObject()
        for _ in 0..<int(0..<6) {
            object[Self.keys[int(0..<Self.keys.count)]] = value(depth: depth)
        }
        return .object(object)
    }

    mutating func array(depth: Int) -> JSONValue {
        .array((0..<int(0..<7)).map { _ in value(depth: depth) })
    }

    mutating func keyedElement(depth: Int) -> JSONValue {
        guard let arrayKey else { return scalar() }
        nextIdentity += 1
        var element = JSONObject()
        element[arrayKey] = .number(JSONNumber(nextIdentity))
        for _ in 0..<int(0..<3) {
            element[Self.keys[int(0..<Self.keys.count)] + "_"] = value(depth: depth)
        }
        return .object(element)
    }

    mutating func keyedArray(depth: Int) -> JSONValue {
        .array((0..<int(0..<9)).map { _ in keyedElement(depth: depth) })
    }

    /// `value` with a few edits in random places.
    mutating func mutated(_ value: JSONValue, edits: Int) -> JSONValue {
        var result = value
        for _ in 0..<edits { mutate(&result, depth: 0) }
        return result
    }

    private mutating func mutate(_ value: inout JSONValue, depth: Int) {
        switch value {
        case .object(var object):
            if !object.isEmpty, chance(65) {
                let key = object.keys[int(0..<object.count)]
                guard key != arrayKey else { return }
                var child = object[key]!
                mutate(&child, depth: depth + 1)
                object[key] = child
            } else if !object.isEmpty, chance(40) {
                let key = object.keys[int(0..<object.count)]
                guard key != arrayKey else { return }
                object[key] = nil
            } else {
                object[Self.keys[int(0..<Self.keys.count)] + (arrayKey == nil ? "" : "_")] = self.value(depth: 2)
            }
            value = .object(object)
        case .array(var elements):
            let keyed = arrayKey != nil && elements.allSatisfy { element in
                if case .object(let object) = element, object[arrayKey!] != nil { return true }
                return false
            } && !elements.isEmpty
            switch int(0..<6) {
            case 0 where !elements.isEmpty, 1 where !elements.isEmpty:
                let index = int(0..<elements.count)
                mutate(&elements[index], depth: depth + 1)
            case 2 where !elements.isEmpty:
                elements.remove(at: int(0..<elements.count))
            case 3 where elements.count > 1:
                let element = elements.remove(at: int(0..<elements.count))
                elements.insert(element, at: int(0..<elements.count + 1))
            case 4 where keyed:
                elements.shuffle(using: &random)
            default:
                let element = keyed ? keyedElement(depth: 1) : self.value(depth: 2)
                elements.insert(element, at: int(0..<elements.count + 1))
            }
            value = .array(elements)
        case .number:
            value = chance(50)
                ? .number(JSONNumber(uncheckedText: Self.numbers[int(0..<Self.numbers.count)])) : scalar()
        default:
            value = chance(70) ? scalar() : self.value(depth: 2)
        }
    }
}

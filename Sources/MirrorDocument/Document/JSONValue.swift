/// A JSON value (RFC 8259 §3) as the pipeline carries it: parsed once from a watched file, then
/// transformed, diffed and serialized.
///
/// Objects keep their members in file order (``JSONObject``), so snapshots and patches list keys
/// the way the file does; numbers keep their spelling (``JSONNumber``), so a big integer or a long
/// decimal goes out exactly as written.
///
/// Equality is JSON equality with numbers compared as written: objects are equal when they have
/// the same members in any order (RFC 8259 §4 gives member order no meaning), arrays element by
/// element. This is what the diff uses; RFC 6902's `test` compares numbers by value instead
/// (``JSONValue/isEqualByValue(_:)``). Strings and keys compare by Unicode scalars, not by
/// Swift's canonical equivalence (RFC 8259 §8.3, ``ScalarString``): a document rewritten from
/// NFC `é` to NFD `e` + U+0301 is a different document, and it is published.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The RFC 8259 name of the kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Equality as RFC 6902 §4.6 defines it for `test`: like `==`, but numbers compare by their
    /// numeric value (`1`, `1.0` and `10e-1` are equal).
    public func isEqualByValue(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a.isEqualByValue(b)
        case (.string(let a), .string(let b)): return a.hasSameScalars(as: b)
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqualByValue($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { member in b[member.key].map { member.value.isEqualByValue($0) } ?? false }
        default: return false
        }
    }
}

extension JSONValue {
    /// Written out rather than synthesized: a synthesized `==` would compare strings as Swift
    /// does, by canonical equivalence.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        // One switch per side, not over the pair: a tuple of the two would copy (retain) both
        // payloads, which cost a third of the time of comparing two large documents.
        switch lhs {
        case .null: if case .null = rhs { return true }
        case .bool(let a): if case .bool(let b) = rhs { return a == b }
        case .number(let a): if case .number(let b) = rhs { return a == b }
        case .string(let a): if case .string(let b) = rhs { return a.hasSameScalars(as: b) }
        case .array(let a): if case .array(let b) = rhs { return a == b }
        case .object(let a): if case .object(let b) = rhs { return a == b }
        }
        return false
    }

    /// In agreement with `==`: strings hash by their UTF-8 bytes. (Values of two kinds need not
    /// hash apart: they are never equal.)
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let value): hasher.combine(value ? 2 : 1 as UInt8)
        case .number(let number): hasher.combine(number)
        case .string(let text): text.hashScalars(into: &hasher)
        case .array(let elements): hasher.combine(elements)
        case .object(let object): hasher.combine(object)
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in the order written; a repeated key keeps its last value, in its first place.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

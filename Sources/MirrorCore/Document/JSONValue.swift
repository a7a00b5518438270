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
/// (``JSONValue/isEqualByValue(_:)``).
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
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqualByValue($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { member in b[member.key].map { member.value.isEqualByValue($0) } ?? false }
        default: return false
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

/// JSON Patch (RFC 6902): reading and writing patch documents. Applying is in
/// `JSONPatch+Apply.swift`, generating in `JSONPatch+Diff.swift`.
public enum JSONPatch {
    /// Reads a parsed patch document (RFC 6902 §3): an array of operation objects.
    ///
    /// `op` and `path` are required in every operation, `from` for move and copy, `value` for add,
    /// replace and test (a `value` of null is present, not missing). Other members are ignored,
    /// as §4 requires. Duplicate members (A.13) are refused earlier, by the JSON parser.
    public static func operations(from document: JSONValue) throws(PatchError) -> [PatchOperation] {
        guard case .array(let elements) = document else {
            throw PatchError(
                .malformedPatch, operationIndex: nil, pointer: nil,
                message: "a JSON Patch document must be an array, not \(article(document.kindName))")
        }
        var operations: [PatchOperation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            operations.append(try operation(from: element, index: index))
        }
        return operations
    }

    private static func operation(from element: JSONValue, index: Int) throws(PatchError) -> PatchOperation {
        func malformed(_ message: String) -> PatchError {
            PatchError(.malformedPatch, operationIndex: index, pointer: nil, message: message)
        }
        guard case .object(let object) = element else {
            throw malformed("an operation must be an object, not \(article(element.kindName))")
        }
        func pointer(_ member: String) throws(PatchError) -> JSONPointer {
            guard let value = object[member] else { throw malformed("the '\(member)' member is missing") }
            guard case .string(let text) = value else {
                throw malformed("the '\(member)' member must be a string, not \(article(value.kindName))")
            }
            do {
                return try JSONPointer(text)
            } catch {
                throw PatchError(
                    .malformedPatch, operationIndex: index, pointer: text,
                    message: "the '\(member)' member is not a JSON pointer: \(error.message)")
            }
        }
        func value() throws(PatchError) -> JSONValue {
            guard let value = object["value"] else { throw malformed("the 'value' member is missing") }
            return value
        }
        guard let op = object["op"] else { throw malformed("the 'op' member is missing") }
        guard case .string(let name) = op else { throw malformed("the 'op' member must be a string, not \(article(op.kindName))") }
        switch name {
        case "add": return .add(path: try pointer("path"), value: try value())
        case "remove": return .remove(path: try pointer("path"))
        case "replace": return .replace(path: try pointer("path"), value: try value())
        case "move": return .move(from: try pointer("from"), path: try pointer("path"))
        case "copy": return .copy(from: try pointer("from"), path: try pointer("path"))
        case "test": return .test(path: try pointer("path"), value: try value())
        default:
            var quoted: [UInt8] = []
            JSONSerializer.writeString(name, into: &quoted)
            throw malformed("unknown operation \(String(decoding: quoted, as: UTF8.self))")
        }
    }

    /// "an object", "a string": a kind as a message says it.
    static func article(_ kind: String) -> String {
        (kind.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + kind
    }

    /// The patch document for `operations`, members in the order RFC 6902 §4 lists them
    /// (`op`, `path`, `from`, `value`), which is also the order people expect to read.
    public static func document(_ operations: [PatchOperation]) -> JSONValue {
        .array(operations.map(document))
    }

    public static func document(_ operation: PatchOperation) -> JSONValue {
        var keys = ["op", "path"]
        var values: [JSONValue] = [.string(operation.name), .string(operation.path.description)]
        switch operation {
        case .move(let from, _), .copy(let from, _):
            keys.append("from")
            values.append(.string(from.description))
        case .add(_, let value), .replace(_, let value), .test(_, let value):
            keys.append("value")
            values.append(value)
        case .remove:
            break
        }
        return .object(JSONObject(uniqueKeys: keys, values: values))
    }

    /// The patch as compact JSON text (its size is what a stream compares to a snapshot's).
    public static func serialize(_ operations: [PatchOperation]) -> [UInt8] {
        JSONSerializer.serialize(document(operations))
    }
}

/// One operation of a JSON Patch document (RFC 6902 §4).
///
/// Paths are parsed pointers and values parsed JSON, so a patch read from a client and a patch
/// made by ``JSONPatch/diff(from:to:arrayKey:maximumEditDistance:)`` are the same kind of value.
public enum PatchOperation: Sendable, Hashable {
    /// §4.1: insert into an array, set an object member, or replace the whole document.
    case add(path: JSONPointer, value: JSONValue)
    /// §4.2: the target must exist.
    case remove(path: JSONPointer)
    /// §4.3: the target must exist; equivalent to remove then add.
    case replace(path: JSONPointer, value: JSONValue)
    /// §4.4: remove from `from`, add at `path`; `from` must not be a proper prefix of `path`.
    case move(from: JSONPointer, path: JSONPointer)
    /// §4.5: add a copy of the value at `from` to `path`.
    case copy(from: JSONPointer, path: JSONPointer)
    /// §4.6: the value at `path` must equal `value`, numbers compared by value.
    case test(path: JSONPointer, value: JSONValue)

    /// The `op` member's value.
    public var name: String {
        switch self {
        case .add: "add"
        case .remove: "remove"
        case .replace: "replace"
        case .move: "move"
        case .copy: "copy"
        case .test: "test"
        }
    }

    public var path: JSONPointer {
        switch self {
        case .add(let path, _), .remove(let path), .replace(let path, _), .move(_, let path), .copy(_, let path),
            .test(let path, _):
            path
        }
    }
}

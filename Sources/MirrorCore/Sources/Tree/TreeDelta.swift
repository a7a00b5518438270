import MirrorDocument

/// The entries one batch of looks changed in a tree's document, and how a `patch` or
/// `merge-patch` says them: built from these entries only, never from a diff of the whole tree.
struct TreeDelta: Sendable {
    struct Change: Sendable {
        var key: String
        /// nil: the entry is new.
        var old: JSONValue?
        /// nil: the entry is gone.
        var new: JSONValue?
    }

    /// Sorted by key.
    var changes: [Change]

    var isEmpty: Bool { changes.isEmpty }

    /// RFC 6902 operations at `/<key>` (RFC 6901 escapes `~` and `/`): `add` for a new entry,
    /// `remove` for a gone one, `replace` for a changed manifest entry. A content entry (`format:
    /// json | yaml | text`) that changed is patched inside: `JSONPatch.diff` of that one entry,
    /// its paths prefixed with the key.
    func jsonPatch(format: DocumentFormat, arrayKey: String?) -> [PatchOperation] {
        var operations: [PatchOperation] = []
        for change in changes {
            let path = JSONPointer(tokens: [change.key])
            switch (change.old, change.new) {
            case (nil, let new?): operations.append(.add(path: path, value: new))
            case (_?, nil): operations.append(.remove(path: path))
            case (let old?, let new?) where format != .manifest:
                operations += JSONPatch.diff(from: old, to: new, arrayKey: arrayKey).map { Self.prefixed($0, with: change.key) }
            case (_, let new?): operations.append(.replace(path: path, value: new))
            case (nil, nil): break
            }
        }
        return operations
    }

    /// An RFC 7396 merge patch: `null` for a gone entry, the entry for a new one, the entry's own
    /// merge patch for a changed one. nil when one cannot be said that way (an entry that is or
    /// becomes `null`, which a merge patch reads as a removal).
    func mergePatch() -> JSONValue? {
        var patch = JSONObject()
        for change in changes {
            switch (change.old, change.new) {
            case (_, nil): patch[change.key] = .null
            case (_, .null?): return nil
            case (nil, let new?): patch[change.key] = new
            case (let old?, let new?):
                guard let entry = JSONMergePatch.diff(from: old, to: new) else { return nil }
                patch[change.key] = entry
            }
        }
        return .object(patch)
    }

    static func prefixed(_ operation: PatchOperation, with key: String) -> PatchOperation {
        func inside(_ pointer: JSONPointer) -> JSONPointer { JSONPointer(tokens: [key] + pointer.tokens) }
        switch operation {
        case .add(let path, let value): return .add(path: inside(path), value: value)
        case .remove(let path): return .remove(path: inside(path))
        case .replace(let path, let value): return .replace(path: inside(path), value: value)
        case .move(let from, let path): return .move(from: inside(from), path: inside(path))
        case .copy(let from, let path): return .copy(from: inside(from), path: inside(path))
        case .test(let path, let value): return .test(path: inside(path), value: value)
        }
    }
}

/// JSON Merge Patch (RFC 7396): a patch that looks like the document it changes.
///
/// A merge patch cannot say everything: `null` means "remove this member" (§1), so it cannot set
/// a member to null, and arrays are replaced whole. ``diff(from:to:)`` therefore answers nil
/// when the change needs a null member value, so the caller sends a full snapshot instead.
public enum JSONMergePatch {
    /// Applies `patch` to `target` exactly as the pseudo-code of RFC 7396 §2: an object patch
    /// merges member by member (a null removes, an object recurses, anything else replaces);
    /// any other patch replaces the target whole.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result: JSONObject
        if case .object(let object) = target { result = object } else { result = JSONObject() }
        for (name, value) in patchObject {
            if value == .null {
                result[name] = nil
            } else {
                result[name] = apply(value, to: result[name] ?? .null)
            }
        }
        return .object(result)
    }

    /// A merge patch turning `old` into `new`, or nil when RFC 7396 cannot express the change.
    ///
    /// That happens exactly when `new` has an object member whose value is null, reached from the
    /// root through objects only, that the patch would have to write: a changed or added member
    /// set to null, or an object written whole (replacing a non-object, or added) that holds one.
    /// (Nulls inside arrays are fine: an array is sent whole and taken as is.) Returning the whole
    /// `new` document instead would not work either, since an object patch is merged, not
    /// substituted (§2), and its nulls would delete members. When `new` is not an object the
    /// patch is `new` itself, which §2 substitutes for the target.
    ///
    /// Members equal on both sides (numbers compared as written) give nothing, so an unchanged
    /// document gives `{}`.
    public static func diff(from old: JSONValue, to new: JSONValue) -> JSONValue? {
        guard case .object(let newObject) = new else { return new }
        guard case .object(let oldObject) = old else { return writable(new) }
        var keys: [String] = []
        var values: [JSONValue] = []
        let newPositions = newObject.count > 8 ? newObject.positions() : nil
        for key in oldObject.keys where newObject.index(forKey: key, in: newPositions) == nil {
            keys.append(key)
            values.append(.null)
        }
        let oldPositions = oldObject.count > 8 ? oldObject.positions() : nil
        for (key, value) in newObject {
            let patch: JSONValue
            if let position = oldObject.index(forKey: key, in: oldPositions) {
                let previous = oldObject.values[position]
                if previous == value { continue }
                guard value != .null, let nested = diff(from: previous, to: value) else { return nil }
                patch = nested
            } else {
                guard value != .null, let whole = writable(value) else { return nil }
                patch = whole
            }
            keys.append(key)
            values.append(patch)
        }
        return .object(JSONObject(uniqueKeys: keys, values: values))
    }

    /// `value` as a patch that rebuilds it from nothing, or nil if an object in it (reached
    /// through objects) has a null member, which the patch would read as a removal.
    private static func writable(_ value: JSONValue) -> JSONValue? {
        guard case .object(let object) = value else { return value }
        for member in object.values {
            if member == .null || writable(member) == nil { return nil }
        }
        return value
    }
}

extension JSONPatch {
    /// How many element inserts and deletes (or, with an array key, moves, adds and removes) one
    /// array may need before the diff gives up on element operations and replaces it whole.
    public static let defaultMaximumEditDistance = 256

    /// A JSON Patch (RFC 6902) that turns `old` into `new`, applied in order.
    ///
    /// Objects are compared member by member and arrays element by element (common ends
    /// trimmed, then Myers' shortest edit script over the middle), so unchanged subtrees give no
    /// operation and a changed field deep inside a large document gives one `replace`. An array
    /// whose edit distance exceeds `maximumEditDistance` is diffed position by position if it
    /// kept its length and at most a quarter of its elements changed, and replaced whole
    /// otherwise: the cap bounds the work (O(N·D)), not the array's length.
    ///
    /// With `arrayKey` (such as `"id"`), an array whose elements on both sides are all objects
    /// with that member, unique per side, is matched by identity: reordered elements become
    /// `move` operations and matched elements are diffed in place.
    ///
    /// Every path is valid at the moment its operation applies (array indexes account for the
    /// operations before it). Equality compares numbers as written, so `1.0` → `1` is a change.
    public static func diff(
        from old: JSONValue, to new: JSONValue, arrayKey: String? = nil,
        maximumEditDistance: Int = defaultMaximumEditDistance
    ) -> [PatchOperation] {
        var differ = PatchDiffer(arrayKey: arrayKey, maximumEditDistance: maximumEditDistance)
        differ.diff(old, new, at: .root)
        return differ.operations
    }
}

/// Collects the operations of one diff, in the order they must apply.
struct PatchDiffer {
    let arrayKey: String?
    let maximumEditDistance: Int
    var operations: [PatchOperation] = []

    init(arrayKey: String?, maximumEditDistance: Int) {
        self.arrayKey = arrayKey
        self.maximumEditDistance = max(0, maximumEditDistance)
    }

    mutating func diff(_ old: JSONValue, _ new: JSONValue, at path: JSONPointer) {
        switch (old, new) {
        case (.object(let oldObject), .object(let newObject)):
            diffObjects(oldObject, newObject, at: path)
        case (.array(let oldElements), .array(let newElements)):
            diffArrays(oldElements, newElements, at: path)
        default:
            if old != new { operations.append(.replace(path: path, value: new)) }
        }
    }

    /// Members keep their place under their key, so the order of these operations does not
    /// matter to their paths: removals, then changes, then additions. Equal members are skipped
    /// before any path is built for them: the comparison stops at the first difference, and on
    /// a large unchanged subtree it is far cheaper than walking it with a pointer per value.
    /// Keys match by Unicode scalars (``JSONObject``): a key respelled from NFC to NFD is a
    /// `remove` and an `add`, which is what the file did.
    private mutating func diffObjects(_ old: JSONObject, _ new: JSONObject, at path: JSONPointer) {
        if old.hasSameKeyOrder(as: new) {
            for position in old.indices where old.values[position] != new.values[position] {
                diff(old.values[position], new.values[position], at: path.appending(old.keys[position]))
            }
            return
        }
        // Large objects look keys up through a map built once (linear), small ones by scanning.
        let newPositions = new.count > 8 ? new.positions() : nil
        let oldPositions = old.count > 8 ? old.positions() : nil
        var changes: [(key: String, old: JSONValue, new: JSONValue)] = []
        for (key, value) in old {
            if let position = new.index(forKey: key, in: newPositions) {
                changes.append((key, value, new.values[position]))
            } else {
                operations.append(.remove(path: path.appending(key)))
            }
        }
        for change in changes where change.old != change.new {
            diff(change.old, change.new, at: path.appending(change.key))
        }
        for (key, value) in new where old.index(forKey: key, in: oldPositions) == nil {
            operations.append(.add(path: path.appending(key), value: value))
        }
    }

    private mutating func diffArrays(_ old: [JSONValue], _ new: [JSONValue], at path: JSONPointer) {
        if let arrayKey, diffKeyedArrays(old, new, key: arrayKey, at: path) { return }
        var prefix = 0
        let shorter = min(old.count, new.count)
        while prefix < shorter, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < shorter - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        let oldMiddle = old[prefix..<(old.count - suffix)]
        let newMiddle = new[prefix..<(new.count - suffix)]
        if oldMiddle.isEmpty, newMiddle.isEmpty { return }

        let edits: [ArrayEditScript.Edit]?
        if oldMiddle.isEmpty || newMiddle.isEmpty {
            let count = oldMiddle.count + newMiddle.count
            edits = count <= maximumEditDistance
                ? Array(repeating: oldMiddle.isEmpty ? .insert : .delete, count: count) : nil
        } else {
            // Plain equality, no hash pass: along the script's path the compared elements are
            // equal (a hash would not spare that walk), and the O(D²) failing comparisons mostly
            // stop at the first differing member. Hashing every element first cost more than
            // the whole comparison on a 50,000-record array.
            edits = ArrayEditScript.edits(
                oldCount: oldMiddle.count, newCount: newMiddle.count, maximumDistance: maximumEditDistance
            ) { i, j in
                oldMiddle[prefix + i] == newMiddle[prefix + j]
            }
        }
        guard let edits else {
            replaceOrDiffInPlace(old, new, at: path)
            return
        }

        // Walk the script with `index` the position in the array as the operations so far left
        // it. A run of deletes and inserts between two kept elements pairs up first: an element
        // changed in place is diffed (one nested `replace`, say), not removed and re-added.
        var index = prefix
        var oldNext = prefix
        var newNext = prefix
        var deleted: [JSONValue] = []
        var inserted: [JSONValue] = []
        func flush(_ differ: inout PatchDiffer) {
            let pairs = min(deleted.count, inserted.count)
            for pair in 0..<pairs {
                differ.diffElement(deleted[pair], inserted[pair], at: path.appending(index))
                index += 1
            }
            for _ in pairs..<deleted.count {
                differ.operations.append(.remove(path: path.appending(index)))
            }
            for element in inserted[pairs...] {
                differ.operations.append(.add(path: path.appending(index), value: element))
                index += 1
            }
            deleted.removeAll(keepingCapacity: true)
            inserted.removeAll(keepingCapacity: true)
        }
        for edit in edits {
            switch edit {
            case .keep:
                flush(&self)
                index += 1
                oldNext += 1
                newNext += 1
            case .delete:
                deleted.append(old[oldNext])
                oldNext += 1
            case .insert:
                inserted.append(new[newNext])
                newNext += 1
            }
        }
        flush(&self)
    }

    /// Past the cap: when both arrays have the same length and at most a quarter of the
    /// positions differ, the elements were most likely changed in place (a field updated in many
    /// records), which Myers counts as a delete and an insert each; diffing position by position
    /// says that briefly. Otherwise the array is replaced whole.
    private mutating func replaceOrDiffInPlace(_ old: [JSONValue], _ new: [JSONValue], at path: JSONPointer) {
        if old.count == new.count {
            let changed = old.indices.filter { old[$0] != new[$0] }
            if changed.count <= old.count / 4 {
                for index in changed {
                    diffElement(old[index], new[index], at: path.appending(index))
                }
                return
            }
        }
        operations.append(.replace(path: path, value: .array(new)))
    }

    /// Diffs two elements that took each other's place; when the nested operations would be
    /// larger than the new element itself, one `replace` says it more briefly.
    mutating func diffElement(_ old: JSONValue, _ new: JSONValue, at path: JSONPointer) {
        let start = operations.count
        diff(old, new, at: path)
        guard operations.count - start > 1 else { return }
        let nested = JSONPatch.serialize(Array(operations[start...])).count
        let replacement = PatchOperation.replace(path: path, value: new)
        if JSONPatch.serialize([replacement]).count < nested {
            operations.removeSubrange(start...)
            operations.append(replacement)
        }
    }
}

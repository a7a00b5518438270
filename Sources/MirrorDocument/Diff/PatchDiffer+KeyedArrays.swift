extension PatchDiffer {
    /// Diffs two arrays whose elements are matched by the value of their `key` member, or
    /// returns false (having added nothing) when they cannot be: some element is not an object,
    /// lacks the member, or shares its value with another element on the same side.
    ///
    /// The operations come in three passes, each with paths valid when it applies:
    /// 1. removals of elements whose identity is gone, from the highest index down;
    /// 2. additions and moves, in the new order. Elements on a longest increasing subsequence of
    ///    old positions stay put; every other element is moved (or added) to just after its
    ///    predecessor in the new order, which is always already in place, so each element
    ///    moves at most once and a single element moved from front to back is one `move`;
    /// 3. recursive diffs of matched elements, which by then sit at their new indexes.
    mutating func diffKeyedArrays(_ old: [JSONValue], _ new: [JSONValue], key: String, at path: JSONPointer) -> Bool {
        guard let oldIndexes = Self.identities(of: old, key: key),
            let newIndexes = Self.identities(of: new, key: key)
        else { return false }

        // For each new element, the index of its old counterpart, if any.
        var counterpart = [Int?](repeating: nil, count: new.count)
        for (identity, newIndex) in newIndexes {
            counterpart[newIndex] = oldIndexes[identity]
        }
        var kept = [Bool](repeating: false, count: old.count)
        for case let oldIndex? in counterpart { kept[oldIndex] = true }
        let removals = kept.lazy.filter { !$0 }.count
        let additions = counterpart.lazy.filter { $0 == nil }.count

        // The matched elements' old indexes, in new order; those on a longest increasing run stay.
        let matched = counterpart.indices.filter { counterpart[$0] != nil }
        let stay = Self.longestIncreasingSubsequence(matched.map { counterpart[$0]! })
        var staying = [Bool](repeating: false, count: new.count)
        for position in stay { staying[matched[position]] = true }
        let moves = matched.count - stay.count
        guard removals + additions + moves <= maximumEditDistance else {
            operations.append(.replace(path: path, value: .array(new)))
            return true
        }

        for oldIndex in old.indices.reversed() where !kept[oldIndex] {
            operations.append(.remove(path: path.appending(oldIndex)))
        }
        // The array as it stands, each element named by its new index. The linear searches
        // below run once per move or addition, which the cap above bounds.
        var current: [Int] = []
        current.reserveCapacity(new.count)
        var newIndexOfOld = [Int](repeating: -1, count: old.count)
        for (newIndex, oldIndex) in counterpart.enumerated() {
            if let oldIndex { newIndexOfOld[oldIndex] = newIndex }
        }
        for oldIndex in old.indices where kept[oldIndex] { current.append(newIndexOfOld[oldIndex]) }

        for newIndex in new.indices where !staying[newIndex] {
            let source = counterpart[newIndex] == nil ? nil : current.firstIndex(of: newIndex)
            if let source { current.remove(at: source) }
            let target = newIndex == 0 ? 0 : current.firstIndex(of: newIndex - 1)! + 1
            current.insert(newIndex, at: target)
            if let source {
                if source != target {
                    operations.append(.move(from: path.appending(source), path: path.appending(target)))
                }
            } else {
                operations.append(.add(path: path.appending(target), value: new[newIndex]))
            }
        }

        for (newIndex, oldIndex) in counterpart.enumerated() {
            if let oldIndex, old[oldIndex] != new[newIndex] {
                diffElement(old[oldIndex], new[newIndex], at: path.appending(newIndex))
            }
        }
        return true
    }

    /// Identity value → index, or nil when the array cannot be keyed.
    private static func identities(of elements: [JSONValue], key: String) -> [JSONValue: Int]? {
        var indexes: [JSONValue: Int] = [:]
        indexes.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .object(let object) = element, let identity = object[key],
                indexes.updateValue(index, forKey: identity) == nil
            else { return nil }
        }
        return indexes
    }

    /// Positions in `values` of one longest strictly increasing subsequence (patience sorting,
    /// O(n log n)).
    static func longestIncreasingSubsequence(_ values: [Int]) -> [Int] {
        var tails: [Int] = []  // tails[l]: position of the smallest tail of a run of length l + 1
        var previous = [Int](repeating: -1, count: values.count)
        for (position, value) in values.enumerated() {
            var low = 0
            var high = tails.count
            while low < high {
                let middle = (low + high) / 2
                if values[tails[middle]] < value { low = middle + 1 } else { high = middle }
            }
            if low > 0 { previous[position] = tails[low - 1] }
            if low == tails.count { tails.append(position) } else { tails[low] = position }
        }
        var run: [Int] = []
        var position = tails.last ?? -1
        while position >= 0 {
            run.append(position)
            position = previous[position]
        }
        return run.reversed()
    }
}

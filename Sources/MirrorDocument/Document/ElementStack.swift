/// A growable stack whose top elements move out into an exactly sized `Array` in one step.
///
/// The parser collects the members of every open container here and gives each finished one its
/// own array: one allocation per container instead of the 1, 2, 4, 8… growth of appending to a
/// fresh array, and no retain/release pair per element, since elements are moved, not copied.
/// One stack serves all the nesting levels at once, as only the innermost container is ever growing.
struct ElementStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// The elements from `start` to the top, in order, removed from the stack.
    mutating func popArray(from start: Int) -> [Element] {
        let moved = count - start
        let source = base + start
        let array = [Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
            if moved > 0 { buffer.baseAddress!.moveInitialize(from: source, count: moved) }
            initialized = moved
        }
        count = start
        return array
    }

    /// Whether an element from `start` to the top satisfies `predicate`.
    @inline(__always)
    func contains(from start: Int, where predicate: (borrowing Element) -> Bool) -> Bool {
        var index = start
        while index < count {
            if predicate(base[index]) { return true }
            index += 1
        }
        return false
    }

    /// Calls `body` with each element from `start` to the top, bottom first.
    func forEach(from start: Int, _ body: (borrowing Element) -> Void) {
        var index = start
        while index < count {
            body(base[index])
            index += 1
        }
    }

    @inline(never)
    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}

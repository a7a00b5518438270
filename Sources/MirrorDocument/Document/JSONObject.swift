/// A JSON object's members in the order the file wrote them.
///
/// RFC 8259 §4 gives member order no meaning, but people read these documents: a snapshot or a
/// patch that reshuffled keys on every change would be noise. Keys are unique (the parser refuses
/// duplicates, since §4 leaves their meaning unpredictable). Lookup is linear for small objects
/// and goes through a key → position index for large ones (built when an object grows past
/// ``indexThreshold`` members, kept up to date after), so a patch of thousands of operations into
/// a 50,000-key object does not scan it for each.
///
/// Keys are compared and hashed by Unicode scalars (``ScalarString``), as RFC 8259 §8.3 compares
/// names: `"é"` in NFC and in NFD are two members, each kept with the bytes it was written in.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection {
    public typealias Member = (key: String, value: JSONValue)

    /// From this many members on, lookups go through an index.
    public static let indexThreshold = 32

    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]
    /// Key → position, for objects of ``indexThreshold`` members or more; nil for smaller ones.
    private var index: [ScalarString: Int]?

    public init() {
        keys = []
        values = []
    }

    /// Members with unique keys, in order; the caller (the parser) has checked the uniqueness.
    public init(uniqueKeys keys: [String], values: [JSONValue]) {
        precondition(keys.count == values.count)
        self.keys = keys
        self.values = values
        if keys.count >= Self.indexThreshold { index = positions() }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }
    public subscript(position: Int) -> Member { (keys[position], values[position]) }

    /// The position of `key`, if present.
    public func index(forKey key: String) -> Int? {
        if let index { return index[ScalarString(key)] }
        return keys.firstIndex { $0.hasSameScalars(as: key) }
    }

    /// Reads a member; setting nil removes it, setting a new key appends it, and setting an
    /// existing key replaces its value in place (its position is kept).
    public subscript(key: String) -> JSONValue? {
        get { index(forKey: key).map { values[$0] } }
        set {
            if let index = index(forKey: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                    // Every later member moved up one place.
                    self.index = nil
                    if keys.count >= Self.indexThreshold { self.index = positions() }
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if self.index != nil {
                    self.index![ScalarString(key)] = keys.count - 1
                } else if keys.count >= Self.indexThreshold {
                    self.index = positions()
                }
            }
        }
    }

    /// A key → position map, for code that looks up many keys of one large object.
    public func positions() -> [ScalarString: Int] {
        if let index { return index }
        var map: [ScalarString: Int] = [:]
        map.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() { map[ScalarString(key)] = position }
        return map
    }

    /// The position of `key` through a map from ``positions()`` when there is one, else by a scan.
    public func index(forKey key: String, in positions: [ScalarString: Int]?) -> Int? {
        guard let positions else { return index(forKey: key) }
        return positions[ScalarString(key)]
    }

    /// The same keys in the same order, compared by Unicode scalars.
    public func hasSameKeyOrder(as other: JSONObject) -> Bool {
        keys.hasSameScalars(as: other.keys)
    }

    /// Same members, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.keys.count == rhs.keys.count else { return false }
        if lhs.hasSameKeyOrder(as: rhs) { return lhs.values == rhs.values }
        let positions = rhs.keys.count > 8 ? rhs.positions() : nil
        for (key, value) in zip(lhs.keys, lhs.values) {
            guard let index = rhs.index(forKey: key, in: positions), rhs.values[index] == value else {
                return false
            }
        }
        return true
    }

    /// Order-independent, to agree with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in zip(keys, values) {
            var member = Hasher()
            key.hashScalars(into: &member)
            member.combine(value)
            combined = combined &+ member.finalize()
        }
        hasher.combine(keys.count)
        hasher.combine(combined)
    }
}

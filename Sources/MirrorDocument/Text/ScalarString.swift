import Glibc

/// A string that is equal, hashed and ordered by its Unicode scalars (the same as by its UTF-8
/// bytes), for keys and names that must stay as distinct as the bytes that spelled them.
///
/// Swift's `String` `==`, `<` and hash use canonical equivalence: `"é"` (U+00E9, NFC) and
/// `"e\u{301}"` (e + COMBINING ACUTE ACCENT, NFD) are one `String` key, one `Set` member, one
/// `Dictionary` entry. JSON compares names code unit by code unit (RFC 8259 §8.3: that is what
/// makes implementations agree on equality), JSON Pointer tokens match member names the same way
/// (RFC 6901 §4), and so do JSON.parse, Python and the file system: two such spellings are two
/// keys, two file names, and a document rewritten from one to the other is a change. Nothing is
/// normalised: the text is kept as written.
///
/// Ordering by UTF-8 bytes is ordering by scalar value, what `LC_ALL=C sort` gives: deterministic
/// whatever the locale or the normalisation form.
///
/// Use ``ScalarString`` as a `Dictionary` or `Set` key; for one comparison, the `String`
/// methods ``Swift/String/hasSameScalars(as:)``, ``Swift/String/scalarsPrecede(_:)`` and
/// ``Swift/String/hashScalars(into:)``.
public struct ScalarString: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The text, exactly as written.
    public var string: String

    public init(_ string: String) {
        self.string = string
    }

    public init(stringLiteral value: String) {
        string = value
    }

    public var description: String { string }

    public static func == (lhs: ScalarString, rhs: ScalarString) -> Bool {
        lhs.string.hasSameScalars(as: rhs.string)
    }

    public static func < (lhs: ScalarString, rhs: ScalarString) -> Bool {
        lhs.string.scalarsPrecede(rhs.string)
    }

    public func hash(into hasher: inout Hasher) {
        string.hashScalars(into: &hasher)
    }
}

extension String {
    /// True when both strings hold the same Unicode scalars (the same UTF-8 bytes); unlike `==`,
    /// an NFC and an NFD spelling of the same text differ. See ``ScalarString``.
    ///
    /// On the diff's hot path (every key and string of two versions of a document), so it is
    /// kept as cheap as `==`: inlined, and settled by the string's bits when they are the same.
    @inline(__always)
    public func hasSameScalars(as other: String) -> Bool {
        if Self.sameBits(self, other) { return true }
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        // Native strings (all of them on Linux) are one contiguous buffer; anything else (a
        // bridged string) is compared byte by byte.
        let contiguous = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in
                count == 0 || memcmp(mine.baseAddress!, theirs.baseAddress!, count) == 0
            }
        }
        return (contiguous ?? nil) ?? utf8.elementsEqual(other.utf8)
    }

    /// Two String values with the same bits are the same string: the same inline bytes of a short
    /// one, or the same immutable storage of a long one. Swift's own `==` starts with this check;
    /// it settles the common case of a short key compared with its twin in the next version of a
    /// document. Word by word: the size is a constant, so this is two loads and two compares.
    @inline(__always)
    private static func sameBits(_ a: String, _ b: String) -> Bool {
        withUnsafeBytes(of: a) { mine in
            withUnsafeBytes(of: b) { theirs in
                var offset = 0
                while offset + 8 <= mine.count {
                    let word = mine.load(fromByteOffset: offset, as: UInt64.self)
                    guard word == theirs.load(fromByteOffset: offset, as: UInt64.self) else { return false }
                    offset += 8
                }
                while offset < mine.count {
                    guard mine[offset] == theirs[offset] else { return false }
                    offset += 1
                }
                return true
            }
        }
    }

    /// True when this string sorts before `other` by UTF-8 bytes, which is by Unicode scalar
    /// value (as `LC_ALL=C sort` orders). See ``ScalarString``.
    public func scalarsPrecede(_ other: String) -> Bool {
        let contiguous = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in mine.lexicographicallyPrecedes(theirs) }
        }
        return (contiguous ?? nil) ?? utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Feeds the string's UTF-8 bytes and their count to `hasher`, in agreement with
    /// ``hasSameScalars(as:)``. See ``ScalarString``.
    @inline(__always)
    public func hashScalars(into hasher: inout Hasher) {
        let count = utf8.count
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            Array(utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        hasher.combine(count)
    }
}

extension Array where Element == String {
    /// The same strings in the same order, each compared by ``Swift/String/hasSameScalars(as:)``.
    public func hasSameScalars(as other: [String]) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBufferPointer { mine in
            other.withUnsafeBufferPointer { theirs in
                if mine.baseAddress == theirs.baseAddress { return true }
                for index in mine.indices where !mine[index].hasSameScalars(as: theirs[index]) { return false }
                return true
            }
        }
    }
}

extension JSONValue {
    /// The size of the compact JSON ``JSONSerializer`` writes for this value, counting each string
    /// as its UTF-8 bytes without the escapes some characters need (a few bytes more for quotes,
    /// backslashes and control characters), so the count is a walk over the tree, never a copy.
    ///
    /// A transformed document is not the file: this is what `patch_ratio` weighs a patch against
    /// then, and the buffer size to serialize it into.
    public var serializedSizeEstimate: Int {
        switch self {
        case .null: 4
        case .bool(let flag): flag ? 4 : 5
        case .number(let number): number.text.utf8.count
        case .string(let text): text.utf8.count + 2
        case .array(let elements):
            elements.reduce(max(2, elements.count + 1)) { $0 + $1.serializedSizeEstimate }
        case .object(let object):
            // Braces and commas, then each member's quoted key and colon.
            zip(object.keys, object.values).reduce(max(2, object.count + 1)) { total, member in
                total + member.0.utf8.count + 3 + member.1.serializedSizeEstimate
            }
        }
    }
}

/// One rule of a stream's `transform:` list (PROTOCOL.md, "Transforms").
public enum TransformRule: Sendable, Equatable {
    /// `select: /features`: publish the subtree at this RFC 6901 pointer instead of the document.
    /// A version without it is `invalid`: publishing `null` for it would look like a real value.
    case select(JSONPointer)
    /// `pick: [name, flags]`: keep only these members of the document, which must be an object,
    /// in the document's order. A pick is an allowlist, so a document that is not an object is
    /// `invalid` rather than published whole.
    case pick([String])
    /// `omit: [/internal]`: remove every value a pattern matches; one that matches nothing is no
    /// change.
    case omit([PathPattern])
    /// `redact: [/db/password, "**.token"]`: replace every value a pattern matches, whatever its
    /// kind, by ``TransformRule/redacted``; never adds a member.
    case redact([PathPattern])

    /// What a redacted value becomes.
    public static let redacted: JSONValue = "[redacted]"

    /// The rule names as mirror.yaml writes them.
    public static let names = ["select", "pick", "omit", "redact"]

    /// The rule applied to one document; throws when the document does not have the shape the
    /// rule needs (see ``select(_:)`` and ``pick(_:)``).
    func apply(to document: JSONValue) throws(DocumentError) -> JSONValue {
        switch self {
        case .select(let pointer):
            guard let selected = pointer.resolve(in: document) else {
                throw Self.failure("transform select: \(pointer) is not in the document")
            }
            return selected
        case .pick(let keys):
            guard case .object(let object) = document else {
                let kind = document == .null ? "null" : JSONPatch.article(document.kindName)
                throw Self.failure("transform pick: the document is \(kind), not an object")
            }
            var kept: [String] = []
            var values: [JSONValue] = []
            for (key, value) in object where keys.contains(key) {
                kept.append(key)
                values.append(value)
            }
            return .object(JSONObject(uniqueKeys: kept, values: values))
        case .omit(let patterns):
            return PatternRewrite(patterns, .remove).apply(to: document)
        case .redact(let patterns):
            return PatternRewrite(patterns, .replace(Self.redacted)).apply(to: document)
        }
    }

    /// A document this rule cannot apply to has no place in the text: line and column are null.
    private static func failure(_ message: String) -> DocumentError {
        DocumentError(line: nil, column: nil, message: message)
    }
}

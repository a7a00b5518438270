/// One rule of a stream's `transform:` list (PROTOCOL.md, "Transforms").
public enum TransformRule: Sendable, Equatable {
    /// `select: /features`: publish the subtree at this RFC 6901 pointer instead of the document.
    /// A version without it is `invalid`: publishing `null` for it would look like a real value.
    case select(JSONPointer)
    /// `pick: [name, flags]`: keep only these members of the document, which must be an object,
    /// in the document's order. A pick is an allowlist, so a document that is not an object is
    /// `invalid` rather than published whole. Names match keys by Unicode scalars
    /// (``ScalarString``): `café` written in NFC does not pick a key spelled in NFD.
    case pick([String])
    /// `omit: [/internal]`: remove every value a pattern matches; one that matches nothing is no
    /// change.
    case omit([PathPattern])
    /// `redact: [/db/password, "**.token"]`: replace every value a pattern matches, whatever its
    /// kind, by ``TransformRule/redacted``; never adds a member.
    case redact([PathPattern])

    /// What a redacted value becomes.
    public static let redacted: JSONValue = "[redacted]"

    /// A rule's name as mirror.yaml writes it; the config decoder switches over these, so a new
    /// rule cannot be read as another one.
    public enum Name: String, CaseIterable, Sendable {
        case select, pick, omit, redact
    }

    /// The rule names as mirror.yaml writes them.
    public static let names = Name.allCases.map(\.rawValue)

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
            let wanted = Set(keys.map { ScalarString($0) })
            var kept: [String] = []
            var values: [JSONValue] = []
            for (key, value) in object where wanted.contains(ScalarString(key)) {
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

    /// Written out so that `pick` names compare by Unicode scalars, as they match keys: a reload
    /// that respells one from NFC to NFD is a changed rule.
    public static func == (lhs: TransformRule, rhs: TransformRule) -> Bool {
        switch (lhs, rhs) {
        case (.select(let a), .select(let b)): a == b
        case (.pick(let a), .pick(let b)): a.hasSameScalars(as: b)
        case (.omit(let a), .omit(let b)): a == b
        case (.redact(let a), .redact(let b)): a == b
        default: false
        }
    }

    /// A document this rule cannot apply to has no place in the text: line and column are null.
    private static func failure(_ message: String) -> DocumentError {
        DocumentError(line: nil, column: nil, message: message)
    }
}

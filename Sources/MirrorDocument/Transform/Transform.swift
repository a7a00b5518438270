/// A stream's `transform:` rules, applied in the order written to each version of the document
/// before it is compared with the last one, so that what the diff, the history, the events, the
/// JSON GET and the logs see is already transformed (and redacted).
///
/// Only the published form counts: a change in a part that a rule drops or redacts is no new
/// version. Line and directory streams call ``apply(to:)`` on each value they publish.
public struct Transform: Sendable, Equatable {
    public var rules: [TransformRule]

    public init(_ rules: [TransformRule] = []) {
        self.rules = rules
    }

    /// No rules: ``apply(to:)`` hands the document back untouched.
    public var isEmpty: Bool { rules.isEmpty }

    /// The document as the stream publishes it. Throws, with no line or column, when a rule
    /// cannot apply to this version (a `select` of a pointer it does not have, a `pick` of a
    /// document that is not an object): the stream reports it as `invalid` and the last good
    /// version stays published.
    public func apply(to document: JSONValue) throws(DocumentError) -> JSONValue {
        guard !rules.isEmpty else { return document }
        var value = document
        for rule in rules {
            value = try rule.apply(to: value)
        }
        return value
    }
}

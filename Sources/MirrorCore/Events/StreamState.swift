public import MirrorDocument

/// The published state of one stream, as a value: what each new reading of the file means.
///
/// A version is a document or the file's absence; each new one gets the next version number and
/// so the next id. `invalid` is not a version: the last good one stays published, and a client's
/// Last-Event-ID keeps naming a document it really has. Generic over the document so the rules
/// can be tested with plain bytes; the engine uses ``Document``.
public struct StreamState<Document: Equatable & Sendable>: Sendable {
    public enum Published: Sendable, Equatable {
        case unknown
        case document(Document)
        case removed
    }

    /// What changed, if anything; the engine turns it into an event.
    public enum Change: Sendable, Equatable {
        /// A new document. `base` is the document of the version before, when a client that follows
        /// the stream has it to apply a patch to: the previous version was a document and no
        /// `invalid` came since (PROTOCOL.md: after `removed` or `invalid` the next is a whole `changed`).
        case changed(version: UInt64, document: Document, base: Document?)
        case removed(version: UInt64)
        case invalid(DocumentError)
    }

    public private(set) var published: Published = .unknown
    public private(set) var version: UInt64 = 0
    public private(set) var invalid: DocumentError?

    public init() {}

    /// The document a change would be patched against: the published one, unless an `invalid`
    /// came since (then the next document goes whole).
    public var base: Document? {
        guard case .document(let document) = published, invalid == nil else { return nil }
        return document
    }

    /// A valid document was read. The same document as published makes no new version,
    /// unless an `invalid` is in force, which the new `changed` then clears. `differs`: the caller
    /// has already compared it with ``base`` (a diff did), so the comparison is not done twice.
    public mutating func document(_ document: Document, differs: Bool = false) -> Change? {
        if !differs && published == .document(document) && invalid == nil { return nil }
        var base: Document?
        if case .document(let previous) = published, invalid == nil { base = previous }
        version += 1
        published = .document(document)
        invalid = nil
        return .changed(version: version, document: document, base: base)
    }

    /// The file is gone.
    public mutating func missing() -> Change? {
        if published == .removed && invalid == nil { return nil }
        version += 1
        published = .removed
        invalid = nil
        return .removed(version: version)
    }

    /// The file is there but is not a valid document; repeated identical errors say nothing new.
    ///
    /// Before any state was published (the file has not held a valid document since the server
    /// started), the state is "no document": a `removed` version comes first, so that a client
    /// always has a state for the `invalid` to stand over (PROTOCOL.md, "On connect").
    public mutating func failed(_ error: DocumentError) -> [Change] {
        if invalid == error { return [] }
        var changes: [Change] = []
        if published == .unknown {
            version += 1
            published = .removed
            changes.append(.removed(version: version))
        }
        invalid = error
        changes.append(.invalid(error))
        return changes
    }
}

/// A document as the engine publishes it. Two documents are the same version when they are equal
/// as JSON with numbers as written (``JSONValue``'s `==`): a respelled number is a change the
/// file made, a reordered object is not (RFC 8259 §4 gives member order no meaning, and a patch
/// could not say it).
public struct Document: Sendable, Equatable {
    public let value: JSONValue

    public init(_ value: JSONValue) {
        self.value = value
    }
}

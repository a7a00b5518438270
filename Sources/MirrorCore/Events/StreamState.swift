/// The published state of one stream, as a value: what each new reading of the file means.
///
/// A version is a document or the file's absence; each new one gets the next version number and
/// so the next id. `invalid` is not a version: the last good one stays published, and a client's
/// Last-Event-ID keeps naming a document it really has.
public struct StreamState: Sendable {
    public enum Published: Sendable, Equatable {
        case unknown
        case document([UInt8])
        case removed
    }

    /// What changed, if anything; the engine turns it into an event.
    public enum Change: Sendable, Equatable {
        case changed(version: UInt64, document: [UInt8])
        case removed(version: UInt64)
        case invalid(DocumentError)
    }

    public private(set) var published: Published = .unknown
    public private(set) var version: UInt64 = 0
    public private(set) var invalid: DocumentError?

    public init() {}

    /// A valid document was read. The same document as published makes no new version,
    /// unless an `invalid` is in force, which the new `changed` then clears.
    public mutating func document(_ bytes: [UInt8]) -> Change? {
        if published == .document(bytes) && invalid == nil { return nil }
        version += 1
        published = .document(bytes)
        invalid = nil
        return .changed(version: version, document: bytes)
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

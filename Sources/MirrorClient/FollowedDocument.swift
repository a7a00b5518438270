public import MirrorDocument

/// The document a client holds while it follows a stream, moved on by each event the way
/// PROTOCOL.md says a client applies them ("Events", "Line streams", "Directory streams").
///
/// A plain value: events in, the current document out, and a verdict when an event cannot apply
/// to what is held (a patch whose base is not the document here). The follower then starts over
/// without `Last-Event-ID`, so the server sends a whole `changed`; a wrong document is never kept.
public struct FollowedDocument: Sendable {
    /// What an event did.
    public enum Outcome: Sendable, Equatable {
        /// The document is now ``document`` (it may equal the one before, as a `changed` after an
        /// `invalid` or on reconnect does).
        case updated
        /// `removed`: the stream has no document.
        case removed
        /// `invalid`: the file is unparsable now; the last document stays (its payload's message).
        case invalid(String)
        /// Nothing to apply: an event of no meaning for the document (`truncated`, or a type this
        /// client does not know, which PROTOCOL.md lets a server add).
        case ignored
        /// The event cannot apply to what is held: the document is dropped. The reason says why.
        case lostBase(String)
    }

    /// The current document; nil before the first `changed`, after `removed`, and after a lost base.
    public private(set) var document: JSONValue? {
        didSet { documentSize = nil }
    }

    /// The size of ``document`` as compact JSON once a patch has counted it, so the next patch is
    /// bounded (``JSONPatch/maximumResultSize``) without a walk of the whole document; nil when
    /// not known yet (it is counted at the first patch).
    private var documentSize: Int?

    /// The most lines a line stream's document keeps (the oldest go first): the server's own
    /// largest `tail`, so a long `follow` of a busy log does not grow without end.
    public let lineLimit: Int

    public init(lineLimit: Int = 100_000) {
        self.lineLimit = max(1, lineLimit)
    }

    /// Applies one event.
    public mutating func apply(_ event: IncomingEvent) -> Outcome {
        switch event.name {
        case "changed":
            // The whole document; on a line stream, the last lines as an array of strings.
            guard let value = parse(event) else { return drop("the 'changed' event's data is not JSON") }
            document = value
            return .updated
        case "removed":
            document = nil
            return .removed
        case "invalid":
            let message = parse(event).flatMap { JSONPointer(tokens: ["message"]).resolve(in: $0) }
            if case .string(let text)? = message { return .invalid(text) }
            return .invalid("the file does not hold a valid document")
        case "patch":
            // RFC 6902: every operation applies, or the patch fails whole (§5).
            guard let base = document else { return drop("a patch arrived without a document to apply it to") }
            guard let patch = parse(event) else { return drop("the patch is not JSON") }
            do {
                // A patch that would build more than the bound fails like one that does not apply:
                // a server cannot make this client serialize a terabyte of copies.
                let result = try JSONPatch.apply(patch: patch, to: base, size: documentSize ?? base.compactSize)
                document = result.document
                documentSize = result.size
                return .updated
            } catch {
                return drop("the patch does not apply: \(error)")
            }
        case "merge-patch":
            // RFC 7396 §2: a merge patch applies to anything; a base is still needed to mean the same.
            guard let base = document else { return drop("a merge patch arrived without a document to apply it to") }
            guard let patch = parse(event) else { return drop("the merge patch is not JSON") }
            document = JSONMergePatch.apply(patch, to: base)
            return .updated
        case "appended":
            // PROTOCOL.md "Line streams": the lines gained since the previous id, appended in order.
            guard case .array(var lines)? = document else {
                return drop("lines were appended to a document that is not a list of lines")
            }
            guard case .array(let added)? = parse(event) else { return drop("the appended lines are not a JSON array") }
            lines.append(contentsOf: added)
            if lines.count > lineLimit { lines.removeFirst(lines.count - lineLimit) }
            document = .array(lines)
            return .updated
        default:
            // `truncated`: the lines a client has stay valid, the next `appended` continues them.
            return .ignored
        }
    }

    /// Forgets the document (the follower reconnects without `Last-Event-ID`).
    public mutating func reset() {
        document = nil
    }

    private mutating func drop(_ reason: String) -> Outcome {
        document = nil
        return .lostBase(reason)
    }

    private func parse(_ event: IncomingEvent) -> JSONValue? {
        try? JSONParser.parse(event.data)
    }
}

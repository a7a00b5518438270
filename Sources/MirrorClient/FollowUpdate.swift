public import MirrorDocument

/// What ``StreamFollower`` reports to its caller, one event at a time.
public struct FollowUpdate: Sendable {
    /// The event as received.
    public var event: IncomingEvent
    /// What it did to the document.
    public var outcome: FollowedDocument.Outcome
    /// The document after it; nil when the stream has none (or the follower dropped its own).
    public var document: JSONValue?
}

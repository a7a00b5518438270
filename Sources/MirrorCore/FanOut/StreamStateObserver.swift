public import MirrorDocument

/// What a hub tells of each new whole state of its stream, besides its subscribers: a publish
/// pump, which hands the state to its target. A hub keeps any number, by identity
/// (``StreamHub/addStateObserver(_:)``).
public protocol StreamStateObserver: AnyObject, Sendable {
    /// The stream at `path` has a new whole state (a `changed` or `removed`, or the whole document
    /// a patch stream settles after its delta). Called on the publishing thread, after the
    /// subscribers' hops are on their way, so it must only hand the state on.
    func stateChanged(_ whole: EncodedEvent, path: String)

    /// What the observer says of itself for `/healthz` (a pump: its target and how its sends
    /// fare); nil: nothing. Read from any thread.
    func healthReport() -> JSONValue?
}

extension StreamStateObserver {
    public func healthReport() -> JSONValue? { nil }
}

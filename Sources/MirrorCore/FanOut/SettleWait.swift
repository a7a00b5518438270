/// A request (a JSON GET) waiting for its stream's whole state to catch up with the newest
/// version, published as a delta whose document is still being encoded (``StreamHub/settle(_:)``).
/// The hub calls `wake` once when the current state reaches `version`; the token takes it back
/// (``StreamHub/cancel(_:)``) when the request ends first.
public struct SettleWait: Hashable, Sendable {
    let token: UInt64
}

/// What ``StreamHub/currentForAnswer(whenSettled:)`` has for an answer that is not a stream.
public enum CurrentForAnswer: Sendable {
    /// The current state (and the `invalid` in force), as new as any version published.
    case ready(state: EncodedEvent?, invalid: EncodedEvent?)
    /// The newest version is not settled yet: `wake` will be called when it is, and
    /// ``StreamHub/current()`` then answers it (or something newer).
    case waiting(SettleWait)
}

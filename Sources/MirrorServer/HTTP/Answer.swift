import MirrorCore

/// What a request gets, as ``RequestDecision`` decides it from the head: ``HTTPRequestHandler``
/// performs it and decides nothing more.
enum Answer {
    /// A whole answer, then a lingering close (RFC 9112 §9.6).
    case response(PlainResponse)
    /// A 403 for a `Host` this server is not reached by (``HostPolicy``): logged as well, since a
    /// proxy's public name missing from `hosts:` looks like this to its users.
    case refusedHost(PlainResponse, host: String)
    /// The stream's current document as JSON (PROTOCOL.md, "The JSON GET"): the handler asks the
    /// hub for it and, while a version published as a patch is still being encoded, parks the
    /// request until the hub settles it (``StreamHub/currentForAnswer(whenSettled:)``); then
    /// ``RequestDecision/document(_:ifNoneMatch:headOnly:cors:)`` makes the answer.
    case document(StreamHub, headOnly: Bool, cors: [(String, String)])
    /// The connection becomes an event stream: once the hubs admit it (``ClientAdmission``) an
    /// ``SSEConnectionHandler`` takes the place of the HTTP handlers, else an ``OverLimitStream``.
    /// `cors`: the fields the stream's response head carries.
    case stream(SSEConnectionHandler.Streams, headOnly: Bool, cors: [(String, String)])
}

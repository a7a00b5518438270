import MirrorDocument
public import NIOHTTP1

/// What ``EventStreamDecoder`` passes on: the answer's head, then the stream's events.
public enum EventStreamPart: Sendable {
    /// A `200` answer that is an event stream: events follow.
    case opened(HTTPResponseHead)
    /// Any other answer, with the start of its body (a server's message says why), once it ended.
    case refused(HTTPResponseHead, body: String)
    case event(IncomingEvent)
    /// A `retry:` field: the reconnection time in milliseconds.
    case retry(milliseconds: Int)
    /// The body ended (the last chunk, or the close of a body delimited by it).
    case ended
}

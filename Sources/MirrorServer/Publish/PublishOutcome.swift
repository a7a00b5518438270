import NIOHTTP1

/// What a ``PublishTransport`` made of one send.
enum PublishOutcome: Sendable, Equatable {
    /// The target took the state.
    case accepted
    /// The target will not take this state however often it is sent (too large, forbidden): it is
    /// dropped, and the stream's next state is tried. The reason is for the log.
    case refused(String)
    /// No connection, no answer in time, or an answer that may change (a 5xx): the state is kept
    /// and tried again after the backoff.
    case failed(String)

    /// An HTTP answer: a 2xx is taken. A 4xx says the request itself is wrong, so retrying the same
    /// state cannot help; 408 and 429 are about timing (RFC 9110 §15.5.9, RFC 6585 §4), so they
    /// are retried, as is anything else.
    init(status: HTTPResponseStatus) {
        let reason = "HTTP \(status.code) \(status.reasonPhrase)"
        switch status.code {
        case 200..<300: self = .accepted
        case 400..<500 where status.code != 408 && status.code != 429: self = .refused(reason)
        default: self = .failed(reason)
        }
    }
}

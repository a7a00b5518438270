/// The life of one event-stream connection as a value: ``SSEConnectionHandler`` tells it what its
/// channel and its hubs do, and performs what it answers.
///
/// A connection streams from the moment its handler is added until it leaves its hubs, exactly
/// once: because the server closes it (a slow or stalled client, the end of its stream) or
/// because the channel goes (the client closed, an error). Only a streaming connection writes;
/// a hub's event or heartbeat that reaches one that is closing or gone is dropped.
struct SSEConnectionState: Equatable {
    enum Phase: Equatable {
        /// The handler is not in a pipeline yet.
        case idle
        /// Added to its pipeline: subscribed to its hubs (when the channel was still active),
        /// writing events and heartbeats.
        case streaming
        /// Left its hubs, and its channel is closing: nothing more is written but what ends it.
        case closing(CloseReason)
        /// The channel went inactive or the handler was removed: nothing is written any more.
        case left
    }

    /// Why the server ends a stream.
    enum CloseReason: Equatable {
        /// More than the bound was queued when an event came.
        case slowClient
        /// Bytes stayed queued for the write timeout with none taken (``WriteProgress``).
        case stalled
        /// Its hub ended it: the server shuts down, a reload retired the stream or revoked the token.
        case finished
    }

    /// What to do with an event that comes.
    enum Delivery: Equatable {
        case write
        /// Not streaming: nothing to do.
        case drop
        /// The client does not keep up: leave the hubs and close (the phase is `closing` now).
        case close
    }

    /// What to do with a heartbeat tick.
    enum HeartbeatAction: Equatable {
        case write
        /// Bytes are still queued, which keep proxies awake: skip it, and watch that the kernel
        /// takes them (never a reason to close on its own).
        case watchProgress
        case skip
    }

    private(set) var phase = Phase.idle

    var isStreaming: Bool { phase == .streaming }

    /// The handler was added to its pipeline.
    mutating func start() {
        if phase == .idle { phase = .streaming }
    }

    /// An event came. The bound counts what is queued beyond the event being written, so one
    /// event larger than the bound still reaches a client whose queue was empty.
    ///
    /// - Parameters:
    ///   - writable: the channel below its high-water mark (an eighth of the bound): then the
    ///     exact count, `queued`, is not asked for.
    ///   - queued: the bytes the kernel has not taken yet.
    mutating func deliver(writable: Bool, queued: @autoclosure () -> Int, bound: Int) -> Delivery {
        guard isStreaming else { return .drop }
        guard writable || queued() <= bound else {
            phase = .closing(.slowClient)
            return .close
        }
        return .write
    }

    func heartbeat(queued: @autoclosure () -> Int) -> HeartbeatAction {
        guard isStreaming else { return .skip }
        return queued() == 0 ? .write : .watchProgress
    }

    /// The server ends the stream. True when the connection leaves its hubs now (it was
    /// streaming); false when it had left already.
    mutating func close(_ reason: CloseReason) -> Bool {
        guard isStreaming else { return false }
        phase = .closing(reason)
        return true
    }

    /// The channel went inactive, or the handler was removed. True when the connection leaves
    /// its hubs now: it was streaming, and nothing closed it before.
    mutating func channelGone() -> Bool {
        defer { phase = .left }
        return isStreaming
    }
}

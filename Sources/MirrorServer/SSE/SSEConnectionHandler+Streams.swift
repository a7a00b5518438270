import MirrorCore

extension SSEConnectionHandler {
    /// The streams a connection carries: one, or several multiplexed.
    enum Streams {
        /// `lastEventID` is what the client sent, for the hub to decide what it is missing;
        /// `credential` the digest of the token it was let in with (nil: the stream was open).
        case one(StreamHub, lastEventID: String?, credential: [UInt8]?)
        case multiplexed(MultiplexedStreams)

        var hubs: [StreamHub] {
            switch self {
            case .one(let hub, _, _): [hub]
            case .multiplexed(let streams): streams.hubs
            }
        }

        /// For logs.
        var paths: String { hubs.map(\.path).joined(separator: " ") }
    }
}

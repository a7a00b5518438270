import Logging

/// One stream as a source feeds it (``FileStream``, ``LineStream``, ``TreeStream``): the parts
/// every kind has are its ``StreamBasis``.
protocol SourceStream: AnyObject, Sendable {
    var basis: StreamBasis { get }
}

extension SourceStream {
    var config: StreamConfig { basis.config }
    var hub: StreamHub { basis.hub }
    var watchStatus: WatchStatus { basis.watchStatus }
    var run: String { basis.run }
    var logger: Logger { basis.logger }

    /// Encodes an event once, as the stream's next in sequence.
    func encode(_ event: SSEEvent) -> EncodedEvent {
        logger.debug("publishing", metadata: ["event": "\(event.name)", "event.id": "\(event.id?.description ?? "")"])
        return basis.encoder.encode(event, sequence: hub.nextSequence())
    }
}

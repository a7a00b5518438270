import CoreMetrics
import Logging

/// What every stream is made of, whatever its kind: its config, its hub, where its source records
/// how it is watched, and what its events are made with.
struct StreamBasis: Sendable {
    let config: StreamConfig
    let hub: StreamHub
    /// Whether inotify or polling serves the stream now (its source records it), for `/healthz`.
    let watchStatus = WatchStatus()
    /// The engine's run: the first part of every event id.
    let run: String
    let encoder: SSEEncoder
    /// Names the stream (`stream.path`) in every line it logs.
    let logger: Logger

    init(config: StreamConfig, run: String, encoder: SSEEncoder, metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger) {
        self.config = config
        self.hub = StreamHub(config: config, metrics: metrics)
        self.run = run
        self.encoder = encoder
        var logger = logger
        logger[metadataKey: "stream.path"] = "\(config.path)"
        self.logger = logger
    }
}

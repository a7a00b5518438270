public import CoreMetrics

extension StreamHub {
    /// The hub of a configured stream, counting into `metrics` (the server's factory).
    public convenience init(config: StreamConfig, metrics: any MetricsFactory) {
        self.init(path: config.path, history: config.history, maxClients: config.maxClients, metrics: StreamMetrics(path: config.path, factory: metrics))
    }
}

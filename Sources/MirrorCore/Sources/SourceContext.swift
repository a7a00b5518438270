import CoreMetrics
import Logging

/// What the engine lends every source it builds: the run and the encoder its events share, where
/// it counts and logs, how its files are watched, and the workers.
struct SourceContext: Sendable {
    /// Runs a job on the engine's workers; a `big` one on the niced pool (see ``WorkerPool``).
    typealias Executor = @Sendable (_ big: Bool, _ job: @escaping @Sendable () -> Void) -> Void

    /// The engine's run: the first part of every event id (``EventID``).
    let run: String
    let encoder: SSEEncoder
    let metrics: any MetricsFactory
    let timing: WatchTiming
    let logger: Logger
    let executor: Executor

    /// The parts of a stream every kind has, made for `config`.
    func basis(for config: StreamConfig) -> StreamBasis {
        StreamBasis(config: config, run: run, encoder: encoder, metrics: metrics, logger: logger)
    }
}

import MirrorCore
import NIOCore
public import Prometheus

/// Where one server's metrics live: a Prometheus registry and the swift-metrics factory that
/// writes into it, handed to the engine so every stream's hub counts there (``StreamMetrics``).
///
/// Passed in, not read from the global `MetricsSystem`, so that every server in a process (each
/// test's) counts on its own; the executable also bootstraps `MetricsSystem` with ``factory``
/// once, so any library that uses the global system reports into the same registry.
public struct MirrorMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Makes every metric with its `# HELP` text (``DescribedMetricsFactory``).
    public let factory: DescribedMetricsFactory

    /// The media type of the text exposition format, version 0.0.4 (Prometheus "Exposition
    /// formats"), which is what swift-prometheus writes.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Change-to-event buckets, seconds: from a millisecond (a close seen at once) to the
    /// settle and idle-writer waits (200 ms to seconds) a partial write is given.
    static let changeToEventBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = DescribedMetricsFactory(registry: registry)
        factory.durationBuckets[MetricNames.changeToEvent] = Self.changeToEventBuckets
        self.factory = factory
    }

    /// Everything counted, in the text exposition format, with each served stream's clients
    /// gauge set from its hub's exact count first.
    func exposition(of hubs: [StreamHub]) -> ByteBuffer {
        for hub in hubs { hub.reportClients() }
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }
}

public import CoreMetrics

/// The metrics of one stream, made once with its hub from the factory the server passes in
/// (swift-metrics), each labelled `stream="<path>"`.
///
/// Updating one is an atomic add in the Prometheus backend, so the hub counts what it delivered
/// once per event-loop hop (events × the subscribers that took them), never once per subscriber.
/// The clients gauge is set from the hub's exact count when the metrics are read
/// (``StreamHub/reportClients()``): a gauge set on every join and leave from many loops could
/// end on a stale value when two updates cross.
public struct StreamMetrics: Sendable {
    let eventsSent: Counter
    let bytesSent: Counter
    let watchErrors: Counter
    let clients: Gauge
    let changeToEvent: Timer
    private let disconnects: [DisconnectReason: Counter]

    public init(path: String, factory: any MetricsFactory) {
        let stream = [(MetricNames.streamLabel, path)]
        eventsSent = Counter(label: MetricNames.eventsSent, dimensions: stream, factory: factory)
        bytesSent = Counter(label: MetricNames.bytesSent, dimensions: stream, factory: factory)
        watchErrors = Counter(label: MetricNames.watchErrors, dimensions: stream, factory: factory)
        clients = Gauge(label: MetricNames.clients, dimensions: stream, factory: factory)
        changeToEvent = Timer(label: MetricNames.changeToEvent, dimensions: stream, factory: factory)
        disconnects = Dictionary(uniqueKeysWithValues: DisconnectReason.allCases.map { reason in
            (reason, Counter(label: MetricNames.disconnects, dimensions: stream + [("reason", reason.rawValue)], factory: factory))
        })
    }

    /// Metrics that go nowhere, for hubs made without a server (tests of the core).
    public static func discarded(path: String) -> StreamMetrics {
        StreamMetrics(path: path, factory: NOOPMetricsHandler.instance)
    }

    func sent(events: Int, bytes: Int) {
        guard events > 0 else { return }
        eventsSent.increment(by: events)
        bytesSent.increment(by: bytes)
    }

    func disconnected(_ reason: DisconnectReason, count: Int = 1) {
        guard count > 0 else { return }
        disconnects[reason]?.increment(by: count)
    }
}

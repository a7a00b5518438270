import CoreMetrics
import MirrorCore

/// What one publish pump counts (README.md, "Operations"), labelled `target="<URL template>"`
/// with any credentials shown as `***`.
struct PublishMetrics: Sendable {
    /// States the target accepted (a 2xx).
    let sent: Counter
    /// States never sent: superseded by a newer one of the same stream, or refused by the target.
    let dropped: Counter
    /// Posts that failed: no connection, a timeout, or an answer other than 2xx.
    let failures: Counter

    init(target: PublishTarget, factory: any MetricsFactory) {
        let label = [(MetricNames.targetLabel, target.description)]
        sent = Counter(label: MetricNames.publishSent, dimensions: label, factory: factory)
        dropped = Counter(label: MetricNames.publishDropped, dimensions: label, factory: factory)
        failures = Counter(label: MetricNames.publishFailures, dimensions: label, factory: factory)
    }
}

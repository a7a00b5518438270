/// The names sse-mirror's metrics are exposed under (README.md, "Operations"). Prometheus naming
/// conventions: a `sse_mirror_` prefix, base units (seconds, bytes), `_total` on counters.
public enum MetricNames {
    /// Gauge: the stream's subscribers now.
    public static let clients = "sse_mirror_clients"
    /// Counter: events written to subscribers (the first state and a resume's replay included).
    public static let eventsSent = "sse_mirror_events_sent_total"
    /// Counter: the bytes of those events (the event-stream bytes, without HTTP chunk framing).
    public static let bytesSent = "sse_mirror_sent_bytes_total"
    /// Counter, with `reason` (``DisconnectReason``): subscribers that left.
    public static let disconnects = "sse_mirror_disconnects_total"
    /// Counter: `invalid` events published (unparsable, unreadable, refused, over a limit).
    public static let watchErrors = "sse_mirror_watch_errors_total"
    /// Histogram, seconds: from the watcher noticing a change to the hub publishing its event.
    public static let changeToEvent = "sse_mirror_change_to_event_seconds"
    /// The label every per-stream metric carries: the stream's path.
    public static let streamLabel = "stream"
    /// Counter, per publish target: whole states the hub accepted (README.md, "Scaling out").
    public static let publishSent = "sse_mirror_publish_sent_total"
    /// Counter, per publish target: states never sent (superseded by a newer one of the same
    /// stream while waiting, or refused by the hub with a 4xx).
    public static let publishDropped = "sse_mirror_publish_dropped_total"
    /// Counter, per publish target: posts that failed (no connection, no answer in time, not 2xx).
    public static let publishFailures = "sse_mirror_publish_failures_total"
    /// The label of the publish metrics: the target URL, credentials shown as `***`.
    public static let targetLabel = "target"
}

import MirrorCore

/// The `# HELP` text of each metric family `/metrics` shows (README.md, "Operations"). The
/// Prometheus text format makes HELP optional, but a scrape without it leaves a dashboard's
/// reader to guess what a series counts; every family here has one.
enum MetricHelp {
    static let texts: [String: String] = [
        MetricNames.clients: "Event-stream connections of the stream now.",
        MetricNames.eventsSent: "Events written to the stream's subscribers (first states and resume replays included).",
        MetricNames.bytesSent: "Bytes of the events written to the stream's subscribers, without HTTP chunk framing.",
        MetricNames.disconnects: "Subscribers of the stream that left, by reason.",
        MetricNames.watchErrors: "invalid events the stream published (unparsable, unreadable, refused, over a limit).",
        MetricNames.changeToEvent: "Seconds from the watcher noticing a change to the stream publishing its event.",
        MetricNames.publishSent: "Whole states the publish target accepted (a 2xx).",
        MetricNames.publishDropped: "States never sent to the publish target: superseded by a newer one of the stream, or refused with a 4xx.",
        MetricNames.publishFailures: "Posts to the publish target that failed: no connection, no answer in time, or not 2xx.",
    ]

    /// The text for `name`; a metric some library reports through swift-metrics gets a generic one.
    static func text(for name: String) -> String {
        texts[name] ?? "\(name), reported through swift-metrics."
    }
}

import ArgumentParser

/// `--log-format`: how log entries are written to standard error.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// swift-log's stream format, one line per entry (``EscapingLogHandler``).
    case text
    /// One JSON object per line (``JSONLogHandler``), for collectors that parse.
    case json
}

/// How a watched file's bytes become a JSON document.
///
/// Only `json` exists yet; yaml, text, lines and manifest are planned, which is why this is an enum
/// and why the config names the format per stream.
public enum DocumentFormat: String, Sendable, Equatable, CaseIterable {
    case json
}

/// Why a string is not a ``PathPattern``: a bad JSON pointer (RFC 6901 §3) or a bad dotted path.
public struct PathPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that failed to parse.
    public var pattern: String
    public var message: String

    public init(pattern: String, message: String) {
        self.pattern = pattern
        self.message = message
    }

    public var description: String { "\(message): \"\(pattern)\"" }
}

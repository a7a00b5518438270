public import MirrorDocument

/// A config that can be served but probably does not do what its author meant, with the place
/// that says why. `check` prints it as a compiler prints a warning (`mirror.yaml:3:16: warning: …`
/// and the line with a caret); the server logs it at warning level each time it loads the file.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The config file's path as the user named it.
    public let file: String
    public let mark: SourceMark
    public let message: String
    /// The text of the line, for the snippet.
    public let sourceLine: String?

    public var description: String {
        ConfigError.render("warning", file: file, mark: mark, message: message, sourceLine: sourceLine)
    }

    /// The warning on one line, for a log entry.
    public var summary: String {
        "\(file):\(mark.line):\(mark.column): \(ConfigError.printable(message))"
    }
}

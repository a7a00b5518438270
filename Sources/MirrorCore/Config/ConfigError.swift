/// A config file that cannot be used, with the place that says why.
///
/// Printed the way compilers print errors, `mirror.yaml:4:14: error: …`, followed by the
/// offending line and a caret under the column, so an editor can jump to it and a person
/// can see it without opening the file.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    fileprivate enum Base: Sendable, Equatable {
        case unreadable
        case syntax
        case schema
    }

    /// What kind of problem this is; more can be added without breaking callers.
    public struct Kind: Sendable, Equatable, CustomStringConvertible {
        fileprivate let base: Base

        /// The file could not be read at all.
        public static let unreadable = Kind(base: .unreadable)
        /// libyaml rejected the text, or it uses a construct a config does not allow.
        public static let syntax = Kind(base: .syntax)
        /// The YAML is well formed but does not describe a valid config.
        public static let schema = Kind(base: .schema)

        public var description: String { "\(base)" }
    }

    public let kind: Kind
    /// The config file's path as the user named it.
    public let file: String
    /// Where the problem is, 1-based; nil when the file could not be read.
    public let mark: SourceMark?
    public let message: String
    /// The text of the offending line, for the snippet.
    public let sourceLine: String?

    init(kind: Kind, file: String, mark: SourceMark?, message: String, sourceLine: String? = nil) {
        self.kind = kind
        self.file = file
        self.mark = mark
        self.message = message
        self.sourceLine = sourceLine
    }

    public var description: String {
        guard let mark else { return "\(file): error: \(message)" }
        var text = "\(file):\(mark.line):\(mark.column): error: \(message)"
        if let sourceLine {
            let gutter = String(mark.line)
            let pad = String(repeating: " ", count: gutter.count)
            // Tabs stay tabs in the caret line so the caret lands under the column in any tab width.
            let lead = sourceLine.prefix(max(0, mark.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
            text += "\n \(gutter) | \(sourceLine)\n \(pad) | \(lead)^"
        }
        return text
    }
}

public import MirrorDocument

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
        Self.render("error", file: file, mark: mark, message: message, sourceLine: sourceLine)
    }

    /// `file:line:column: severity: message`, then the line and a caret under the column.
    static func render(_ severity: String, file: String, mark: SourceMark?, message: String, sourceLine: String?) -> String {
        guard let mark else { return "\(file): \(severity): \(Self.printable(message))" }
        var text = "\(file):\(mark.line):\(mark.column): \(severity): \(Self.printable(message))"
        if let sourceLine {
            let gutter = String(mark.line)
            let pad = String(repeating: " ", count: gutter.count)
            let (shown, caret) = Self.snippet(sourceLine, column: mark.column)
            // Tabs stay tabs in the caret line so the caret lands under the column in any tab width.
            let lead = shown.unicodeScalars.prefix(caret).map { $0 == "\t" ? "\t" : " " }.joined()
            text += "\n \(gutter) | \(shown)\n \(pad) | \(lead)^"
        }
        return text
    }

    /// The line as the snippet shows it, and how many scalars precede the caret.
    ///
    /// Columns count Unicode scalars, as libyaml's do. A line longer than ``snippetWidth`` is cut to a
    /// window around the column, marked with `…` where it was cut.
    static func snippet(_ line: String, column: Int) -> (line: String, caret: Int) {
        let scalars = Array(line.unicodeScalars)
        let caret = max(0, min(column - 1, scalars.count))
        guard scalars.count > snippetWidth else { return (printable(line, forSnippet: true), caret) }
        let start = max(0, min(caret - snippetWidth / 2, scalars.count - snippetWidth))
        let end = start + snippetWidth
        var shown = String.UnicodeScalarView(scalars[start..<end])
        if end < scalars.count { shown.append("…") }
        let head = start > 0 ? "…" : ""
        return (head + printable(String(shown), forSnippet: true), caret - start + head.unicodeScalars.count)
    }

    /// How many characters of a long line the snippet shows.
    static let snippetWidth = 120

    /// The text with control characters shown as `\u{1B}`, so a hostile config cannot move the
    /// terminal's cursor, change its colours or break the one-line error (a key may hold a newline).
    /// In the snippet each becomes U+FFFD, one scalar, so the caret stays under its column.
    static func printable(_ text: String, forSnippet: Bool = false) -> String {
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            if !isControl || (forSnippet && scalar == "\t") {
                shown.append(scalar)
            } else if forSnippet {
                shown.append("\u{FFFD}")
            } else {
                shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(shown)
    }
}

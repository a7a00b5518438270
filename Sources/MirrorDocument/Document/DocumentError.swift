/// Why a watched file's content is not a valid document, and where.
///
/// This is what an `invalid` event carries (PROTOCOL.md): a place and a message, never the
/// file's text, since a half-saved secret should not leak through an error.
public struct DocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based; nil for errors that have no place in the text (the file cannot be read).
    public var line: Int?
    /// 1-based, counted in Unicode scalars.
    public var column: Int?
    public var message: String

    public init(line: Int?, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        guard let line, let column else { return message }
        return "\(line):\(column): \(message)"
    }
}

/// The keys of a line stream (`format: lines`): how much of the log a new client gets, which lines
/// pass, and what a line becomes (PROTOCOL.md, "Line streams").
public struct LineOptions: Sendable, Equatable {
    /// `tail`: how many of the last lines the first event and every late joiner get.
    public var tail: Int
    /// `grep`: a line passes only if it matches one of these (none: every line passes).
    public var grep: [LinePattern]
    /// `exclude`: a line that matches one of these is dropped, even if `grep` let it pass.
    public var exclude: [LinePattern]
    /// `parse: json`: each line is sent as the JSON value it holds (NDJSON); one that does not
    /// parse is sent as a string.
    public var parseJSON: Bool
    /// `max_line`: longer lines are cut into pieces of at most this many bytes, each sent as a line.
    public var maxLine: Int

    public static let defaultTail = 10
    public static let maximumTail = 100_000
    public static let defaultMaxLine = 64 << 10
    /// A line longer than this cannot be asked for: every buffer is bounded.
    public static let maximumMaxLine = 16 << 20

    public init(tail: Int = Self.defaultTail, grep: [LinePattern] = [], exclude: [LinePattern] = [], parseJSON: Bool = false, maxLine: Int = Self.defaultMaxLine) {
        self.tail = tail
        self.grep = grep
        self.exclude = exclude
        self.parseJSON = parseJSON
        self.maxLine = maxLine
    }

    /// Whether a line (its UTF-8 bytes) is published.
    func passes(_ line: UnsafeRawBufferPointer) -> Bool {
        if !grep.isEmpty && !grep.contains(where: { $0.matches(line) }) { return false }
        return !exclude.contains(where: { $0.matches(line) })
    }
}

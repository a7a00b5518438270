/// A position in a source text, 1-based as editors and compilers print it.
///
/// libyaml reports 0-based marks; the parser adds one on the way in so that nothing
/// downstream has to remember which convention a number follows.
public struct SourceMark: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// What a directory stream (``SourceKind/tree``) adds to a stream's settings: `ignore`, `hash`
/// and `max_files` (PROTOCOL.md, "Directory streams").
public struct TreeOptions: Sendable, Equatable {
    /// `ignore:`, globs added to ``TreeIgnore/defaults``. A glob with a `/` matches the path
    /// relative to the root, one without matches the name of a file or folder at any depth, as
    /// .gitignore reads them.
    public var ignore: [String]
    /// `hash:`; false leaves `sha256` out of manifest entries, for trees too big to read.
    public var hash: Bool
    /// `max_files:`; a tree with more regular files is `invalid` and the last good manifest stays,
    /// so the document (and every client's copy) stays bounded.
    public var maxFiles: Int

    public static let defaultMaxFiles = 100_000

    public init(ignore: [String] = [], hash: Bool = true, maxFiles: Int = Self.defaultMaxFiles) {
        self.ignore = ignore
        self.hash = hash
        self.maxFiles = maxFiles
    }
}

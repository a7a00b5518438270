/// What a stream watches, which decides how it is read: each kind has its own source in
/// `Sources/MirrorCore/Sources/` behind one shape (``MirrorSource``), and they share the watching,
/// the document pipeline, the history and the fan-out.
public enum SourceKind: String, Sendable, Equatable {
    /// One file read whole on every settled change (`format: json | yaml | text`).
    case file
    /// A growing log followed from the last offset, as `tail -F` does (`format: lines`).
    case lines
    /// A directory tree or a glob: one document keyed by relative path (`watch: dir/`, a folder,
    /// or a pattern with `*`, `?` or `[`).
    case tree

    /// The kind a `watch` value names by its form: a trailing `/` or a glob character makes a tree.
    /// (An existing directory named without the slash is a tree too; the decoder checks that.)
    public static func implied(byWatch watch: String) -> SourceKind? {
        if watch.hasSuffix("/") || watch.contains(where: { "*?[".contains($0) }) { return .tree }
        return nil
    }
}

/// How a watched file's bytes become a JSON document (`format:` in mirror.yaml).
///
/// The first three read a whole file; `lines` follows a growing log (``SourceKind/lines``) and
/// `manifest` describes a directory's files (``SourceKind/tree``), and neither goes through
/// ``DocumentReader``.
public enum DocumentFormat: String, Sendable, Equatable, CaseIterable {
    /// RFC 8259 JSON (``JSONParser``).
    case json
    /// YAML with a JSON reading under the YAML 1.2 core schema (``YAMLDocumentReader``).
    case yaml
    /// Any UTF-8 text, published as one JSON string (``TextDocumentReader``).
    case text
    /// A growing log followed as `tail -F` does: lines appended since the last read.
    case lines
    /// A directory tree: one entry per regular file with its size, mtime and SHA-256.
    case manifest

    /// The format a stream gets when the config names none: YAML for `.yaml` and `.yml` files
    /// (any case), JSON for everything else.
    public static func implied(byPath path: String) -> DocumentFormat {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return .json }
        switch name[name.index(after: dot)...].lowercased() {
        case "yaml", "yml": return .yaml
        default: return .json
        }
    }
}

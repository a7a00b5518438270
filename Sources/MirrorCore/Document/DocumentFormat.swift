/// How a watched file's bytes become a JSON document (`format:` in mirror.yaml).
///
/// An enum, and named per stream in the config, because more formats are planned (lines, manifest).
public enum DocumentFormat: String, Sendable, Equatable, CaseIterable {
    /// RFC 8259 JSON (``JSONParser``).
    case json
    /// YAML with a JSON reading under the YAML 1.2 core schema (``YAMLDocumentReader``).
    case yaml
    /// Any UTF-8 text, published as one JSON string (``TextDocumentReader``).
    case text

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

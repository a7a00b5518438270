import Glibc

/// Reads mirror.yaml through libyaml into a ``MirrorConfig``, or fails with a ``ConfigError``
/// that names file, line and column.
public enum ConfigLoader {
    /// Config files are small; this bound keeps a mistaken path (a log file, a device) from being slurped.
    static let maximumSize = 1 << 20

    public static func load(file: String) throws(ConfigError) -> MirrorConfig {
        let bytes: [UInt8]
        do {
            bytes = try FileReader.readAll(path: file, limit: maximumSize)
        } catch {
            throw ConfigError(kind: .unreadable, file: file, mark: nil, message: "cannot read the config: \(error)")
        }
        return try parse(bytes, file: file, baseDirectory: PathText.directory(of: PathText.absolute(file)))
    }

    public static func parse(_ bytes: [UInt8], file: String, baseDirectory: String) throws(ConfigError) -> MirrorConfig {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        func fail(_ kind: ConfigError.Kind, _ mark: SourceMark, _ message: String) -> ConfigError {
            let line = mark.line - 1 < lines.count && mark.line >= 1 ? String(lines[mark.line - 1]) : nil
            return ConfigError(kind: kind, file: file, mark: mark, message: message,
                               sourceLine: line.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 })
        }
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(bytes)
        } catch {
            throw fail(.syntax, error.mark, error.message)
        }
        do {
            var decoder = ConfigDecoder(baseDirectory: baseDirectory, file: file)
            return try decoder.decode(root)
        } catch {
            throw fail(.schema, error.mark, error.message)
        }
    }
}

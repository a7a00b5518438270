import Glibc
import MirrorDocument

/// Reads mirror.yaml through libyaml into a ``MirrorConfig``, or fails with a ``ConfigError``
/// that names file, line and column.
public enum ConfigLoader {
    /// Config files are small; this bound keeps a mistaken path (a log file, a device) from being slurped.
    static let maximumSize = 1 << 20

    /// - Parameter tokenFiles: whether a `tokens_file` that cannot be read fails the load
    ///   (at start, in `check`) or revokes its tokens (a reload).
    public static func load(file: String, tokenFiles: TokenFilePolicy = .required) throws(ConfigError) -> MirrorConfig {
        let bytes: [UInt8]
        do {
            bytes = try FileReader.readAll(path: file, limit: maximumSize)
        } catch {
            throw ConfigError(kind: .unreadable, file: file, mark: nil, message: "cannot read the config: \(error)")
        }
        return try parse(bytes, file: file, baseDirectory: realDirectory(of: file), tokenFiles: tokenFiles)
    }

    /// The folder the config file really is in, which relative `watch` paths are read against.
    ///
    /// Resolved with realpath(3), not lexically: for `link/../mirror.yaml` the kernel opened the
    /// `mirror.yaml` next to where `link` points, so that is the folder whose files belong to it.
    /// The file was just read, so it exists; if it vanished since, that is an unreadable config.
    static func realDirectory(of file: String) throws(ConfigError) -> String {
        guard let real = realpath(file, nil) else {
            let reason = String(cString: strerror(errno))
            throw ConfigError(kind: .unreadable, file: file, mark: nil, message: "cannot resolve the config's folder: \(reason)")
        }
        defer { free(real) }
        return PathText.directory(of: String(cString: real))
    }

    public static func parse(
        _ bytes: [UInt8], file: String, baseDirectory: String, tokenFiles: TokenFilePolicy = .required
    ) throws(ConfigError) -> MirrorConfig {
        // A UTF-8 byte order mark is not content (YAML 1.2.2 §5.2); without it, line 1's columns are the editor's.
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        let lines = SourceLines(text)
        func fail(_ kind: ConfigError.Kind, _ mark: SourceMark, _ message: String) -> ConfigError {
            ConfigError(kind: kind, file: file, mark: mark, message: message, sourceLine: lines.text(ofLine: mark.line))
        }
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(text)
        } catch {
            if let hint = ListenHint(lines: lines, near: error.mark) {
                throw fail(.syntax, hint.mark, hint.message)
            }
            throw fail(.syntax, error.mark, error.message)
        }
        do {
            var decoder = ConfigDecoder(baseDirectory: baseDirectory, file: file, lines: lines, tokenFilePolicy: tokenFiles)
            return try decoder.decode(root)
        } catch {
            throw fail(.schema, error.mark, error.message)
        }
    }
}

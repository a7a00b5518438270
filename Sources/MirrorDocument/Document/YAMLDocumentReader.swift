/// Reads a YAML file (through libyaml) as the JSON value it describes.
///
/// A watched YAML file is published as JSON, so only YAML that has a JSON reading is accepted:
/// - scalars resolve by the YAML 1.2 core schema (YAML 1.2.2 §10.3.2): `null`, booleans, ints and
///   floats become JSON null, booleans and numbers (respelled by ``YAMLNumberText``: `0x1F` is 31,
///   `.5` is 0.5), everything else is a string; quoted and block scalars are always strings.
///   `.inf` and `.nan` have no JSON form (RFC 8259 §6), so they are an error, as are tags other
///   than the core schema's (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq`, `!`);
/// - mapping keys must be strings (RFC 8259 §4): a plain key the core schema reads as an int, a
///   float, a boolean or null (`1:`, `true:`, `~:`) is an error rather than silently becoming the
///   text `"1"`, and so is a list or mapping used as a key. Quote such a key to make it a string;
/// - keys are unique (YAML 1.2.2 §3.2.1.1; libyaml does not check); `<<` is an ordinary key, as
///   merge keys are YAML 1.1, not 1.2;
/// - one document per file; a file with no document at all (empty, or only comments) is `null`;
/// - aliases are expanded, but together they may add at most ``maximumAliasNodes`` nodes, so a
///   "billion laughs" file is an error, not an out-of-memory; nesting is bounded by ``maximumDepth``.
///
/// Errors carry the line and column and never the file's text (PROTOCOL.md): not a key, an
/// anchor, a tag or a bad byte.
public enum YAMLDocumentReader {
    /// The nesting bound of JSON documents (``JSONParser/maximumDepth``), aliases included.
    public static let maximumDepth = JSONParser.maximumDepth
    /// Nodes that aliases may add, counted over the whole file.
    public static let maximumAliasNodes = 1_000_000

    public static func read(_ bytes: [UInt8]) throws(DocumentError) -> JSONValue {
        // A UTF-8 byte order mark is not content (YAML 1.2.2 §5.2); libyaml told the encoding keeps it.
        let hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        return try bytes.withUnsafeBufferPointer { whole throws(DocumentError) in
            let buffer = UnsafeBufferPointer(rebasing: whole[(hasBOM ? 3 : 0)...])
            var walker = YAMLTreeWalker<YAMLValueBuilder>()
            do throws(YAMLError) {
                return try walker.run(LibYAMLParser(buffer, describesBadBytes: false)) ?? .null
            } catch {
                throw DocumentError(line: error.mark.line, column: error.mark.column, message: error.message)
            }
        }
    }
}

/// Turns a watched file's bytes into the ``JSONValue`` it holds, by the stream's format.
///
/// This is the value the pipeline diffs and serializes; every format fails with a ``DocumentError``
/// that has a line and column and never quotes the file.
public enum DocumentReader {
    public static func read(_ bytes: [UInt8], format: DocumentFormat) throws(DocumentError) -> JSONValue {
        switch format {
        case .json: try JSONParser.parse(bytes)
        case .yaml: try YAMLDocumentReader.read(bytes)
        // A binary file (a NUL or broken UTF-8 near its start) is described, never sent as text.
        case .text: BinaryContent.isBinary(bytes) ? BinaryContent.metadata(bytes) : try TextDocumentReader.read(bytes)
        case .lines, .manifest:
            // Not whole-file formats: a line stream and a tree have readers of their own.
            throw DocumentError(line: nil, column: nil, message: "format '\(format.rawValue)' does not read a whole file")
        }
    }
}

/// Turns a watched file's bytes into the document a `changed` event carries, by the stream's format.
///
/// JSON goes through ``JSONMinifier``, which keeps the file's own spelling (escapes included); the
/// other formats have no JSON text of their own, so their value (``DocumentReader``) is serialized.
public enum DocumentDecoder {
    public static func decode(_ bytes: [UInt8], format: DocumentFormat) throws(DocumentError) -> [UInt8] {
        switch format {
        case .json: try JSONMinifier.minify(bytes)
        case .yaml, .text: JSONSerializer.serialize(try DocumentReader.read(bytes, format: format))
        }
    }
}

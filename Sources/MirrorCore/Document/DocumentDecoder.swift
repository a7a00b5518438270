/// Turns a watched file's bytes into the document a `changed` event carries, by the stream's format.
public enum DocumentDecoder {
    public static func decode(_ bytes: [UInt8], format: DocumentFormat) throws(DocumentError) -> [UInt8] {
        switch format {
        case .json: return try JSONMinifier.minify(bytes)
        }
    }
}

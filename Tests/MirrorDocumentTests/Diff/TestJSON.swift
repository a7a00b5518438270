import MirrorDocument

/// JSON text in tests, read by the real parser.
enum TestJSON {
    static func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }
}

extension JSONValue {
    /// Compact JSON text, for messages and comparisons.
    var text: String { String(decoding: JSONSerializer.serialize(self), as: UTF8.self) }
}

/// What a text stream publishes for a binary file instead of broken text.
extension BinaryContent {
    /// `{"binary": true, "size": …, "sha256": …}`: enough to tell versions apart and to check a
    /// download against, never the bytes themselves.
    public static func metadata(_ bytes: [UInt8]) -> JSONValue {
        var object = JSONObject()
        object["binary"] = .bool(true)
        object["size"] = .number(JSONNumber(bytes.count))
        object["sha256"] = .string(ContentDigest.hex(of: bytes))
        return .object(object)
    }
}

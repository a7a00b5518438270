import MirrorDocument

/// `tls:`, read against the config's folder like `watch`.
extension ConfigDecoder {
    static let tlsKeys = ["cert", "key"]
    /// PEM files are a few kilobytes; a larger one is a mistaken path.
    static let maximumPEMSize = 1 << 20

    func decodeTLS(_ node: YAMLNode) throws(SchemaError) -> TLSFiles {
        let entries = try mapping(node, what: "tls")
        try rejectUnknown(entries, allowed: Self.tlsKeys, in: "tls")
        func file(_ key: String, _ what: String) throws(SchemaError) -> String {
            guard let entry = entries.first(where: { $0.key == key }) else {
                throw SchemaError(mark: node.mark, message: "tls: needs '\(key)', the \(what) (PEM)")
            }
            let (written, path, bytes) = try readNamedFile(entry.value, key: key, limit: Self.maximumPEMSize)
            guard !bytes.isEmpty else {
                throw SchemaError(mark: entry.value.mark, message: "\(key): '\(written)' is empty")
            }
            return path
        }
        return TLSFiles(certificate: try file("cert", "certificate chain"), key: try file("key", "private key"))
    }
}

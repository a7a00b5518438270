/// The keys of a line stream (`format: lines`), which follows a growing log as `tail -F` does.
extension ConfigDecoder {
    static let lineKeys: [String] = []

    func decodeLineOptions(_ entries: [YAMLMappingEntry], into config: inout StreamConfig) throws(SchemaError) {
    }
}

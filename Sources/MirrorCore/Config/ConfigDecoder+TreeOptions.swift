/// The keys of a directory stream (a `watch` naming a folder or a glob).
extension ConfigDecoder {
    static let treeKeys: [String] = []

    func decodeTreeOptions(_ entries: [YAMLMappingEntry], into config: inout StreamConfig) throws(SchemaError) {
    }
}

/// The explicit tags a config file may write (YAML 1.2.2 §6.9.1), in the long form libyaml reports.
///
/// A config holds plain values, so only the failsafe and core schema tags (§10.1, §10.3) mean
/// anything here; any other tag (`!!binary`, `!custom`) would be silently dropped, so it is an error.
enum YAMLTag {
    static let prefix = "tag:yaml.org,2002:"
    static let str = prefix + "str"
    static let int = prefix + "int"
    static let bool = prefix + "bool"
    static let null = prefix + "null"
    static let float = prefix + "float"
    static let map = prefix + "map"
    static let seq = prefix + "seq"
    /// The non-specific tag `!`: the node is a string, a mapping or a sequence by its kind (§6.9.1).
    static let nonSpecific = "!"

    /// The tag as it is usually written: `!!int`, `!custom`, or `!<tag:example.com,2000:x>` for a verbatim one.
    static func written(_ tag: String) -> String {
        if tag.hasPrefix(prefix) { return "!!" + tag.dropFirst(prefix.count) }
        if tag.hasPrefix("!") { return tag }
        return "!<\(tag)>"
    }
}

/// A scalar whose explicit tag a config cannot honour; the parser adds the mark.
struct YAMLTagError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

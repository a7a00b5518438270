import MirrorCore

/// mirror.yaml text read as `serve` reads it, for the config tests: the file is `mirror.yaml` in
/// `base` (a folder that need not exist unless the text names files to read, such as tokens or TLS).
func load(_ text: String, base: String = "/srv/app") throws(ConfigError) -> MirrorConfig {
    try load(Array(text.utf8), base: base)
}

/// The bytes of a mirror.yaml, as they are: for text that is not UTF-8 or not text at all.
func load(_ bytes: [UInt8], base: String = "/srv/app") throws(ConfigError) -> MirrorConfig {
    try ConfigLoader.parse(bytes, file: "mirror.yaml", baseDirectory: base)
}

import ArgumentParser

/// `--merge`, shared by `diff` and `apply`: which of the two patch formats a stream may send
/// (PROTOCOL.md, `patch` and `merge`) the command writes or reads.
struct PatchFormatOption: ParsableArguments {
    @Flag(help: "An RFC 7396 JSON Merge Patch instead of an RFC 6902 JSON Patch.")
    var merge = false
}

import ArgumentParser
import MirrorDocument

/// `sse-mirror diff OLD NEW [--merge]`: the patch a stream would send for this change.
///
/// Exits 0 whether or not the documents differ (unlike diff(1)): the output is the answer, and an
/// empty patch `[]` (or `{}`) says they are equal.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Print the RFC 6902 JSON Patch (or with --merge the RFC 7396 merge patch) that turns OLD into NEW.",
        discussion: "Files ending in .yaml or .yml are read as YAML, others as JSON; '-' is standard input. Exit 0 on success, 1 on bad input."
    )

    @Argument(help: "The document before.")
    var old: String

    @Argument(help: "The document after.")
    var new: String

    @OptionGroup var format: PatchFormatOption

    @Option(help: "Match array elements by this member (as a stream's array_key).")
    var arrayKey: String?

    func run() throws {
        let before = try DocumentFile.load(old)
        let after = try DocumentFile.load(new)
        if format.merge {
            guard let patch = JSONMergePatch.diff(from: before, to: after) else {
                var stderr = StandardError()
                print("a merge patch cannot express this change (RFC 7396 §1: a member set to null reads as a removal); use a JSON Patch", to: &stderr)
                throw ExitCodes.badInput
            }
            DocumentFile.write(patch)
        } else {
            DocumentFile.write(JSONPatch.document(JSONPatch.diff(from: before, to: after, arrayKey: arrayKey)))
        }
    }
}

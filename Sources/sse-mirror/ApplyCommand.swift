import ArgumentParser
import MirrorDocument

/// `sse-mirror apply DOC PATCH [--merge]`: what a client holds after applying an event's patch.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply an RFC 6902 JSON Patch (or with --merge an RFC 7396 merge patch) to DOC and print the result.",
        discussion: """
            Every failure, a failed 'test' operation included, exits 1 with a message on standard error. \
            A patch may build at most \(JSONPatch.maximumResultSize >> 20) MiB of compact JSON (or as much as \
            DOC, if larger), nested at most \(JSONParser.maximumDepth) levels, and look at no more than \
            \(JSONPatch.workFactor) times that in all; past that it fails too.
            """
    )

    @Argument(help: "The document.")
    var document: String

    @Argument(help: "The patch.")
    var patch: String

    @OptionGroup var format: PatchFormatOption

    func run() throws {
        let target = try DocumentFile.load(document)
        let changes = try DocumentFile.load(patch)
        if format.merge {
            DocumentFile.write(JSONMergePatch.apply(changes, to: target))
            return
        }
        do {
            DocumentFile.write(try JSONPatch.apply(patch: changes, to: target))
        } catch {
            var stderr = StandardError()
            print("\(patch): \(error)", to: &stderr)
            throw ExitCodes.badInput
        }
    }
}

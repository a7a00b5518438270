import Glibc
import Testing

/// `diff` and `apply` read regular files only: a FIFO with no writer is refused at once instead of
/// blocking in open(2), a device is refused before it is read to the 1 GiB bound, a folder is named
/// as what it is not. Standard input (`-`) is read as before.
@Suite("diff and apply read regular files", .timeLimit(.minutes(2)))
struct DocumentFileKindTests {
    let cli = CommandLineTests()

    @Test func fifosDevicesAndFoldersAreRefusedAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "document-kind")
        defer { directory.remove() }
        try directory.write("old.json", #"{"a":1}"#)
        let fifo = directory.url("pipe.json")
        #expect(mkfifo(fifo, 0o600) == 0)
        for other in [fifo, "/dev/zero", directory.path] {
            let result = try await cli.launch(["diff", directory.url("old.json"), other])
            #expect(result.status == 1, "\(other)")
            #expect(result.stderr == "\(other): not a regular file\n", "\(other): \(result.stderr)")
        }
    }
}

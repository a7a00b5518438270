import Foundation
import Glibc
import MirrorCore
import Testing

/// Watched paths that are not ordinary files written by ordinary editors, through the real
/// watcher and a real socket client.
@Suite("odd files", .timeLimit(.minutes(1)))
struct OddFileTests {
    /// procfs reports `st_size` 0 and answers a read at a later offset with EOF: the first read must
    /// take the whole file (it used to ask for size + 1 bytes and publish `/proc/sys/kernel/pid_max`
    /// as its first digit).
    @Test func procfsFileIsPublishedWhole() async throws {
        let expected = try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // Relative to the fixture's folder under /tmp, which normalizes to /proc/sys/kernel/pid_max.
        try await withServer(MirrorFixture.start(streams: ["/pid": "../../proc/sys/kernel/pid_max"])) { fixture in
            let client = try await fixture.subscribe("/pid")
            let events = try await client.waitFor("the first event") { !$0.isEmpty }
            #expect(events.first?.name == "changed")
            #expect(events.first?.data == expected)
            await client.close()
        }
    }

    /// Hostile content swapped in one after another: each is `invalid` (with a message that shows
    /// none of it), the last good document stays published, and the watcher stays alive to publish
    /// the next good one. Every step is renamed over the name, as a tool would.
    @Test func hostileFilesAreInvalidAndTheWatcherSurvives() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"step": 0}"#])) { fixture in
            let directory = fixture.directory
            let client = try await fixture.subscribe()
            try await client.waitFor("the first document") { $0.count == 1 }
            let steps: [(String, String, (String) throws -> Void)] = [
                ("invalid UTF-8", "not valid UTF-8", { path in
                    try Data([0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D]).write(to: URL(fileURLWithPath: path))
                }),
                ("100k nested arrays", "nesting deeper than 512 levels", { path in
                    try directory.write(PathText.name(of: path), String(repeating: "[", count: 100_000))
                }),
                ("a sparse file over the limit", "larger than the limit", { path in
                    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                    #expect(ftruncate(fd, off_t(StreamConfig.defaultMaxSize + 1)) == 0)
                    close(fd)
                }),
                ("a FIFO", "not a regular file", { path in #expect(mkfifo(path, 0o644) == 0) }),
                ("a folder", "not a regular file", { path in try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) }),
                ("a link to /dev/zero", "not a regular file", { path in #expect(symlink("/dev/zero", path) == 0) }),
            ]
            var count = 1
            for (step, (what, message, make)) in steps.enumerated() {
                let tmp = directory.url("next.tmp")
                try make(tmp)
                if what == "a folder" { try directory.removeTree("app.json") }
                try directory.rename("next.tmp", "app.json")
                let events = try await client.waitFor(what) { $0.count == count + 1 }
                #expect(events.last?.name == "invalid", "\(what)")
                #expect(events.last?.data.contains(message) == true, "\(what): \(events.last?.data ?? "")")
                let late = try await fixture.subscribe()
                try await late.waitFor("the snapshot") { $0.count == 2 }
                #expect(late.events.first?.data == #"{"step":\#(step)}"#, "\(what)")
                await late.close()
                if what == "a folder" { try directory.removeTree("app.json") }
                try directory.write("next.tmp", #"{"step": \#(step + 1)}"#)
                try directory.rename("next.tmp", "app.json")
                try await client.waitFor("the next good document") { $0.count == count + 2 }
                #expect(client.events.last?.data == #"{"step":\#(step + 1)}"#)
                count += 2
            }
            #expect(!client.text.contains("[[["))
            await client.close()
        }
    }
}

import Foundation
import Glibc
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
        let fixture = try await MirrorFixture.start(streams: ["/pid": "../../proc/sys/kernel/pid_max"])
        defer { Task { await fixture.stop() } }
        let client = try await fixture.subscribe("/pid")
        let events = try await client.waitFor("the first event") { !$0.isEmpty }
        #expect(events.first?.name == "changed")
        #expect(events.first?.data == expected)
        await client.close()
    }
}

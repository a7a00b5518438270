import Foundation
import Glibc
import Synchronization
import Testing

/// Issue item 1 end to end: a writer appending digits without pause, and a client that must only
/// ever receive numbers the writer really left in the file.
@Suite("torn reads", .timeLimit(.minutes(1)))
struct TornReadTests {
    /// Appends `chunk` digits at a time (open with O_APPEND, write, close) for `duration`, starting
    /// over (O_TRUNC) at `wrap` bytes; returns the final length. The kernel grows the file a page at
    /// a time during one write, so a reading torn inside an append has a length that is no multiple
    /// of `chunk`, and is still a valid JSON number.
    static func appendDigits(to path: String, chunk: Int, wrap: Int, for duration: Duration) -> Int {
        let bytes = [UInt8](repeating: UInt8(ascii: "7"), count: chunk)
        let end = ContinuousClock.now.advanced(by: duration)
        var length = 0
        while ContinuousClock.now < end {
            if length + chunk > wrap {
                close(open(path, O_WRONLY | O_TRUNC | O_CLOEXEC))
                length = 0
            }
            let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { break }
            length += bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return length
    }

    @Test func aClientNeverSeesANumberThatWasNotWritten() async throws {
        let chunk = 40_009
        let fixture = try await MirrorFixture.start(files: ["app.json": String(repeating: "7", count: chunk)])
        defer { Task { await fixture.stop() } }
        let client = try await fixture.subscribe()
        try await client.waitFor("the first document") { $0.count == 1 }
        let path = fixture.directory.url("app.json")
        let final = Mutex<Int?>(nil)
        let writer = Thread {
            let length = Self.appendDigits(to: path, chunk: chunk, wrap: chunk * 8, for: .seconds(2))
            final.withLock { $0 = length }
        }
        writer.start()
        while final.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(50)) }
        let total = try #require(final.withLock { $0 })
        let events = try await client.waitFor("the final state", timeout: .seconds(10)) {
            $0.last { $0.name == "changed" }?.data.utf8.count == total
        }
        let changed = events.filter { $0.name == "changed" }
        let torn = changed.map(\.data.utf8.count).filter { $0 % chunk != 0 }
        #expect(torn.isEmpty, "torn numbers published (lengths): \(torn) of \(changed.count)")
        await client.close()
    }
}

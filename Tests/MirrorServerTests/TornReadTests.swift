import Foundation
import Glibc
import MirrorTestSupport
import Synchronization
import Testing

/// Issue item 1 end to end: a writer appending digits without pause, and a client that must only
/// ever receive numbers the writer really left in the file.
@Suite("torn reads", .timeLimit(.minutes(1)))
struct TornReadTests {
    @Test func aClientNeverSeesANumberThatWasNotWritten() async throws {
        let chunk = 40_009
        try await withServer(MirrorFixture.start(files: ["app.json": String(repeating: "7", count: chunk)])) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the first document") { $0.count == 1 }
            let path = fixture.directory.url("app.json")
            let final = Mutex<Int?>(nil)
            let writer = Thread {
                let length = AppendingWriter.appendDigits(to: path, chunk: chunk, wrap: chunk * 8, for: .seconds(2))
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
}

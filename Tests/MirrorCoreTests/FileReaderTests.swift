import Foundation
import Glibc
import Logging
import MirrorCore
import MirrorTestSupport
import Synchronization
import Testing

/// The reader against files that do not hold still or do not tell their size: a real writer
/// thread appending to a real file, and the kernel's own synthetic files.
@Suite("file reader", .timeLimit(.minutes(1)))
struct FileReaderTests {
    /// Issue item 1: a writer that appends without pause never lets three reads in a row agree.
    /// The reader used to hand over its third reading anyway, torn at a page boundary; a reading
    /// that never held still must be retried later instead, and the final state still arrive.
    @Test func aReadThatNeverHoldsStillIsNotHandedOver() async throws {
        let temporary = try TemporaryDirectory(prefix: "sse-mirror-torn")
        defer { temporary.remove() }
        let directory = temporary.path
        let file = directory + "/digits.json"
        let chunk = 100_003
        close(open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644))
        let lengths = Mutex<[Int]>([])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let watcher = try FileWatcher(
            paths: [file],
            timing: WatchTiming(settle: .milliseconds(20), reconcileInterval: nil),
            readLimit: 16 << 20,
            logger: logger
        ) { _, result, _ in
            if case .success(let content) = result { lengths.withLock { $0.append(content.bytes.count) } }
            return .done
        }
        watcher.start()
        defer { watcher.stop() }
        let final = Mutex<Int?>(nil)
        let writer = Thread {
            let length = AppendingWriter.appendDigits(to: file, chunk: chunk, wrap: chunk * 10, for: .seconds(2))
            final.withLock { $0 = length }
        }
        writer.start()
        _ = try await poll(timeout: .seconds(30), every: .milliseconds(20)) {
            guard let total = final.withLock({ $0 }) else { return false }
            return lengths.withLock { $0.last } == total
        }
        let total = try #require(final.withLock { $0 })
        let seen = lengths.withLock { $0 }
        #expect(seen.last == total)
        let torn = seen.filter { $0 % chunk != 0 }
        #expect(torn.isEmpty, "torn readings (lengths) handed over: \(torn.prefix(10)) of \(seen.count)")
    }

    /// A file that ends at a page boundary is doubted only while a writer holds it open: one whose
    /// writer has closed (every save) goes out at once, not after the second a stalled write may take.
    @Test func aClosedFileOfWholePagesIsReadAtOnce() throws {
        let temporary = try TemporaryDirectory(prefix: "sse-mirror-pages")
        defer { temporary.remove() }
        let directory = temporary.path
        let file = directory + "/pages.json"
        let text = "\"" + String(repeating: "x", count: 65536 - 2) + "\""
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        _ = text.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, 65536) }
        close(fd)
        let started = ContinuousClock.now
        let content = try FileReader.read(path: file, limit: 1 << 20, symlinks: .follow)
        #expect(content.bytes.count == 65536)
        // Well under the second, with room for a loaded machine that puts this thread aside.
        #expect(ContinuousClock.now - started < .milliseconds(500))
        // While a writer holds it open, the same reading is doubted (no reading, looked at again).
        let writer = open(file, O_WRONLY | O_APPEND | O_CLOEXEC)
        defer { close(writer) }
        let asked = ContinuousClock.now
        let doubted = (try? FileReader.read(path: file, limit: 1 << 20, symlinks: .follow)) == nil
        #expect(doubted, "a page-aligned reading was handed over while a writer held the file open")
        // The attempts are spread over 3.5 ms, not spent in the same microsecond: IN_CLOSE_WRITE
        // comes before the closing descriptor gives up its write access, so a read that the close
        // started finds the writer gone on a later attempt.
        #expect(ContinuousClock.now - asked >= .milliseconds(3))
    }
}

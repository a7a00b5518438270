import Dispatch
import Foundation
import Glibc
import Logging
@testable import MirrorCore
import MirrorTestSupport
import Synchronization
import Testing

/// The watcher on its own, through real inotify in real folders, for what the end-to-end tests
/// cannot arrange: a watcher thread held busy while events pile up.
@Suite("file watcher", .timeLimit(.minutes(1)))
struct FileWatcherTests {
    /// Records every reading; can hold the watcher thread inside the handler until released. The
    /// watcher's thread blocks on `release`; the test waits for `entered` off the cooperative pool.
    final class Recorder: Sendable {
        let readings = Mutex<[String]>([])
        let holdNext = Mutex(false)
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)

        func handle(_ result: Result<FileContent, FileReadError>) -> ReadVerdict {
            let text: String
            switch result {
            case .success(let content): text = String(decoding: content.bytes, as: UTF8.self)
            case .failure(let error): text = "error: \(error)"
            }
            readings.withLock { $0.append(text) }
            if holdNext.withLock({ hold in defer { hold = false }; return hold }) {
                entered.signal()
                release.wait()
            }
            return .done
        }

        var all: [String] { readings.withLock { $0 } }

        /// Returns once the watcher is held inside a reading.
        func waitUntilEntered() async {
            await offPool { self.entered.wait() }
        }
    }

    let directory: String
    let file: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "sse-mirror-watch").path
        file = directory + "/doc.json"
    }

    func write(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func makeWatcher(_ recorder: Recorder, policy: WatchPolicy = WatchPolicy(), timing: WatchTiming? = nil) throws -> FileWatcher {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try FileWatcher(
            files: [WatchedPath(path: file, readLimit: 1 << 20, policy: policy)],
            timing: timing ?? WatchTiming(reconcileInterval: nil),
            logger: logger
        ) { _, result, _ in recorder.handle(result) }
    }

    /// Starts a watcher on "0", writes "1", and returns once the watcher thread is held inside
    /// the reading of "1" (until `recorder.release` is signalled).
    func startHeldInsideAReading() async throws -> (Recorder, FileWatcher) {
        write(file, "0")
        let recorder = Recorder()
        let watcher = try makeWatcher(recorder)
        watcher.start()
        recorder.holdNext.withLock { $0 = true }
        write(file, "1")
        await recorder.waitUntilEntered()
        return (recorder, watcher)
    }

    /// Writes that arrive while a reading is in progress are one read afterwards, not one read each.
    @Test func burstsAreCoalesced() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (recorder, watcher) = try await startHeldInsideAReading()
        defer { watcher.stop() }
        for n in 2...40 { write(file, "\(n)") }
        recorder.release.signal()
        try await eventually { recorder.all.last == "40" }
        try await Task.sleep(for: .milliseconds(100))
        // The first reading at start, the held one, then one for the whole burst.
        #expect(recorder.all == ["0", "1", "40"])
    }

    /// No stream waits for another: with reads on an executor of several threads, one file's
    /// reading held up does not hold up another file's change, and the held file's writes meanwhile
    /// are one read afterwards, of the newest content.
    @Test func aBusyFileDoesNotHoldUpAnother() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let other = directory + "/other.json"
        write(file, "0")
        write(other, "a")
        let held = Recorder()
        let free = Recorder()
        let threads = ConcurrentExecutor()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let watcher = try FileWatcher(
            paths: [file, other],
            timing: WatchTiming(reconcileInterval: nil),
            readLimit: 1 << 20,
            logger: logger,
            executor: { _, job in threads.run(job) }
        ) { index, result, _ in index == 0 ? held.handle(result) : free.handle(result) }
        watcher.start()
        defer { watcher.stop() }
        held.holdNext.withLock { $0 = true }
        write(file, "1")
        await held.waitUntilEntered()
        // The first file's reading is held; the second one's change still goes through.
        write(other, "b")
        try await eventually { free.all.last == "b" }
        for n in 2...20 { write(file, "\(n)") }
        held.release.signal()
        try await eventually { held.all.last == "20" }
        try await Task.sleep(for: .milliseconds(100))
        // All nineteen writes were done when the held reading ended, so the next reading is of the
        // newest. The watcher kept taking events meanwhile, so the last of them may still bring
        // one more reading (of the same content, which the stream finds unchanged), but not one
        // per write.
        let readings = held.all
        #expect(Array(readings.prefix(3)) == ["0", "1", "20"])
        #expect(readings.count <= 6 && readings.dropFirst(2).allSatisfy { $0 == "20" }, "\(readings)")
    }

    /// Runs each job on a new thread, so a held job holds nothing else.
    final class ConcurrentExecutor: Sendable {
        func run(_ job: @escaping @Sendable () -> Void) {
            Thread.detachNewThread { job() }
        }
    }

    /// When the kernel's event queue overflows, events are lost: every file is read again.
    @Test func queueOverflowRereadsEveryFile() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
        let (recorder, watcher) = try await startHeldInsideAReading()
        defer { watcher.stop() }
        // Each new file queues IN_CREATE and IN_CLOSE_WRITE: enough of them fill the queue. (Made
        // on a thread of their own: thousands of creates would hold a thread of the test pool.)
        let directory = directory
        await offPool {
            for n in 0..<(limit / 2 + 100) {
                close(open(directory + "/junk-\(n)", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644))
            }
        }
        // This change's event finds the queue full and is dropped; only the overflow tells of it.
        write(file, "2")
        recorder.release.signal()
        try await eventually { recorder.all.last == "2" }
    }

    /// A polled file (`watch_mode: poll`) is stat'ed and still mirrored. (Stat sees size, inode,
    /// mtime and ctime; the end-to-end polling tests vary each.)
    @Test func polling() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        write(file, "0")
        let recorder = Recorder()
        let watcher = try makeWatcher(recorder, policy: WatchPolicy(mode: .poll, pollInterval: .milliseconds(50)), timing: WatchTiming(reconcileInterval: nil))
        watcher.start()
        defer { watcher.stop() }
        write(file, "11")
        try await eventually { recorder.all.last == "11" }
        unlink(file)
        try await eventually { recorder.all.last == "error: no such file" }
        write(file, "2")
        try await eventually { recorder.all.last == "2" }
    }

    /// A write through a shared mapping sends no IN_MODIFY (inotify(7): mmap(2), msync(2) and
    /// munmap(2) generate no events), but moves mtime and ctime: the reconciliation stat finds it.
    @Test func reconciliationCatchesAWriteThroughAMapping() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        write(file, "aaaa")
        let recorder = Recorder()
        let watcher = try makeWatcher(recorder, timing: WatchTiming(reconcileInterval: .milliseconds(100)))
        watcher.start()
        defer { watcher.stop() }
        // The mapping holds the open file: its IN_CLOSE_WRITE comes only at munmap, so it stays
        // mapped until the new content is seen.
        let fd = open(file, O_RDWR | O_CLOEXEC)
        let mapping: UnsafeMutableRawPointer = try #require(mmap(nil, 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0))
        try #require(mapping != UnsafeMutableRawPointer(bitPattern: -1))
        defer { munmap(mapping, 4) }
        close(fd)
        _ = "bbbb".utf8CString.withUnsafeBytes { memcpy(mapping, $0.baseAddress!, 4) }
        msync(mapping, 4, MS_SYNC)
        try await eventually { recorder.all.last == "bbbb" }
    }

    /// A file larger than the limit is refused, not read whole.
    @Test func readsAreBounded() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        write(file, String(repeating: "x", count: 2000))
        #expect(throws: FileReadError.self) { try FileReader.read(path: file, limit: 1000) }
        #expect(try FileReader.read(path: file, limit: 2000).bytes.count == 2000)
        #expect(throws: FileReadError.self) { try FileReader.read(path: directory, limit: 1000) }
    }
}

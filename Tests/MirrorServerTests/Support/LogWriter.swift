import Glibc
@testable import MirrorCore
import Synchronization
import Testing

/// A program that logs: numbered lines appended at a steady rate through one descriptor opened
/// with O_APPEND, kept open across rotations until told to reopen (as a daemon does on SIGHUP).
/// Every line is one `write(2)`, so a line is never torn between two files. A failed open or
/// write stops the writer and fails the test at ``stop()``: it never ends the test process.
final class LogWriter: Sendable {
    private struct State {
        var fd: Int32
        var written: [String] = []
        /// The number of the next line; a burst takes its numbers before it is built.
        var next = 1
        var paused = false
        var stopped = false
        /// Why the writer stopped on its own (an open or a write failed).
        var failure: String?

        /// Writes all of `bytes`, or notes the failure and stops.
        mutating func write(_ bytes: [UInt8]) -> Bool {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else {
                    failure = "write(2) to the log failed: \(String(cString: strerror(errno)))"
                    stopped = true
                    return false
                }
                offset += written
            }
            return true
        }
    }

    let path: String
    private let interval: Duration
    private let state: Mutex<State>
    private let done = Mutex(false)

    init(path: String, interval: Duration = .milliseconds(1)) {
        self.path = path
        self.interval = interval
        let fd = Self.open(path)
        var state = State(fd: fd)
        if fd < 0 { (state.stopped, state.failure) = (true, "cannot open \(path): \(String(cString: strerror(errno)))") }
        self.state = Mutex(state)
    }

    private static func open(_ path: String) -> Int32 {
        Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    }

    static func line(_ number: Int) -> String {
        "line \(number) " + String(repeating: "x", count: number % 37) + " end"
    }

    func start() {
        // A detached POSIX thread, out of Swift's cooperative pool (a writer that sleeps between lines).
        pthread_detach(PosixThread.start { [self] in
            while true {
                let stop = state.withLock { state -> Bool in
                    if state.stopped { return true }
                    if state.paused { return false }
                    let text = Self.line(state.next)
                    state.next += 1
                    guard state.write(Array((text + "\n").utf8)) else { return true }
                    state.written.append(text)
                    return false
                }
                if stop { break }
                usleep(UInt32(interval / .microseconds(1)))
            }
            done.withLock { $0 = true }
        })
    }

    /// Closes the log and opens the name again: what a writer does after logrotate's `create`.
    func reopen() {
        state.withLock { state in
            close(state.fd)
            state.fd = Self.open(path)
            if state.fd < 0 { (state.stopped, state.failure) = (true, "cannot reopen \(path): \(String(cString: strerror(errno)))") }
        }
    }

    /// Writes `count` lines at once, in one `write(2)`: a writer flushing its buffer (say, before it
    /// reopens its log), which leaves the reader a backlog of megabytes in that file.
    ///
    /// The burst's megabytes are built outside the lock, so the steady lines go on meanwhile: a
    /// writer silent for as long as building them takes (over a second in a debug build on a
    /// loaded machine) would let the reader retire the old file before the burst lands in it. Its
    /// numbers are taken first, so lines are numbered in the order they were made, not written;
    /// `written` keeps the order they were written in. Building them holds the calling thread:
    /// an async test calls it through `offPool`.
    func burst(_ count: Int) {
        let first = state.withLock { state in
            defer { state.next += count }
            return state.next
        }
        let lines = (first..<first + count).map(Self.line)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        for line in lines {
            bytes += line.utf8
            bytes.append(10)
        }
        state.withLock { state in
            if !state.stopped, state.write(bytes) { state.written += lines }
        }
    }

    func pause(_ paused: Bool) {
        state.withLock { $0.paused = paused }
    }

    /// Stops and returns every line written, in order.
    func stop(sourceLocation: SourceLocation = #_sourceLocation) async -> [String] {
        state.withLock { $0.stopped = true }
        while !done.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        let (written, failure) = state.withLock { state in
            if state.fd >= 0 { close(state.fd) }
            return (state.written, state.failure)
        }
        if let failure { Issue.record("the log writer stopped: \(failure)", sourceLocation: sourceLocation) }
        return written
    }

    var count: Int { state.withLock { $0.written.count } }
}

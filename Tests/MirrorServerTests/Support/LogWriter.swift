import Glibc
@testable import MirrorCore
import Synchronization

/// A program that logs: numbered lines appended at a steady rate through one descriptor opened
/// with O_APPEND, kept open across rotations until told to reopen (as a daemon does on SIGHUP).
/// Every line is one `write(2)`, so a line is never torn between two files.
final class LogWriter: Sendable {
    private struct State {
        var fd: Int32
        var written: [String] = []
        /// The number of the next line; a burst takes its numbers before it is built.
        var next = 1
        var paused = false
        var stopped = false
    }

    let path: String
    private let interval: Duration
    private let state: Mutex<State>
    private let done = Mutex(false)

    init(path: String, interval: Duration = .milliseconds(1)) {
        self.path = path
        self.interval = interval
        self.state = Mutex(State(fd: Self.open(path)))
    }

    private static func open(_ path: String) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "cannot open \(path)")
        return fd
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
                    let bytes = Array((text + "\n").utf8)
                    let written = Glibc.write(state.fd, bytes, bytes.count)
                    precondition(written == bytes.count)
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
        }
    }

    /// Writes `count` lines at once, in one `write(2)`: a writer flushing its buffer (say, before it
    /// reopens its log), which leaves the reader a backlog of megabytes in that file.
    ///
    /// The burst's megabytes are built outside the lock, so the steady lines go on meanwhile: a
    /// writer silent for as long as building them takes (over a second in a debug build on a
    /// loaded machine) would let the reader retire the old file before the burst lands in it. Its
    /// numbers are taken first, so lines are numbered in the order they were made, not written;
    /// `written` keeps the order they were written in.
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
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(state.fd, $0.baseAddress, $0.count) }
                precondition(written > 0)
                offset += written
            }
            state.written += lines
        }
    }

    func pause(_ paused: Bool) {
        state.withLock { $0.paused = paused }
    }

    /// Stops and returns every line written, in order.
    func stop() async -> [String] {
        state.withLock { $0.stopped = true }
        while !done.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        return state.withLock { state in
            close(state.fd)
            return state.written
        }
    }

    var count: Int { state.withLock { $0.written.count } }
}

import Foundation
import Glibc
import MirrorTestSupport
import Synchronization
import Testing

/// The real `sse-mirror` executable in its own process, started the way a user starts it: as an
/// ordinary user when the tests run as root (every capability dropped, `nobody`), optionally with
/// a low open-file limit.
final class ServerProcess: Sendable {
    private let process: Process
    private let stderr = SharedText()
    /// Whether this server still holds its ``WatcherSlots`` slot (given back once, on stop or deinit).
    private let holdsSlot = Mutex(true)
    let port: Int

    /// The uid the server runs as when the tests run as root.
    static let unprivilegedUser: uid_t = 65534

    var pid: Int32 { process.processIdentifier }
    var log: String { stderr.value }
    var isRunning: Bool { process.isRunning }

    /// Starts `sse-mirror CONFIG ARGUMENTS…` and waits for its "listening on" line. ``log`` is
    /// everything it writes, standard error and standard output.
    /// - Parameters:
    ///   - directory: made readable by everyone; the binary is put into it (a link to the run's
    ///     own copy), so an unprivileged user can run it wherever the build folder is.
    ///   - openFileLimit: both the soft and the hard RLIMIT_NOFILE (through prlimit(1)).
    ///   - wrapper: a command that runs the rest of the command line (`unshare …`), outermost.
    init(
        config: String, in directory: TemporaryDirectory, arguments: [String] = [], unprivileged: Bool = true,
        openFileLimit: Int? = nil, wrapper: [String] = []
    ) async throws {
        await WatcherSlots.shared.acquire()
        chmod(directory.path, 0o755)
        let binary = directory.url("sse-mirror")
        if !FileManager.default.fileExists(atPath: binary) {
            try await offPool { try Self.placeExecutable(at: binary) }
        }
        var command = [binary, config] + arguments
        if unprivileged && getuid() == 0 {
            let user = String(Self.unprivilegedUser)
            command = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups",
                       "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"] + command
        }
        if let openFileLimit {
            command = ["/usr/bin/prlimit", "--nofile=\(openFileLimit):\(openFileLimit)", "--"] + command
        }
        command = wrapper + command
        process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        let stderr = self.stderr
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                stderr.append(data)
            }
        }
        try process.run()
        // Only a guard against a server that never says it listens (it exits, or hangs).
        let deadline = ContinuousClock.now.advanced(by: .seconds(40))
        var port: Int?
        while port == nil, ContinuousClock.now < deadline, process.isRunning {
            // The port's end must have arrived too: a pipe read can end inside the number.
            port = stderr.value.firstMatch(of: /listening on https?:\/\/[^\s]*?:(\d+)\D/).flatMap { Int($0.1) }
            if port == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        guard let port else {
            if process.isRunning { process.terminate() }
            holdsSlot.withLock { $0 = false }
            await WatcherSlots.shared.release()
            Issue.record("the server did not start: \(stderr.value)")
            throw TimeoutError()
        }
        self.port = port
    }

    /// A test that throws before ``stop()`` leaves no server behind (it would run on, orphaned,
    /// and load the machine for every later test).
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        if holdsSlot.withLock({ $0 }) { Task { await WatcherSlots.shared.release() } }
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// SIGTERM, then the exit status. A server that has not exited 30 s later is killed (and
    /// its status is SIGKILL's): a guard, not the time a shutdown is expected to take.
    func stop() async -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let status = await process.exited()
        if holdsSlot.withLock({ held in defer { held = false }; return held }) { await WatcherSlots.shared.release() }
        return status
    }

    /// A field of /proc/PID/status, such as `Uid` or `CapEff`.
    func status(_ field: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.map { $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// User plus system CPU time so far, from /proc/PID/stat.
    func cpuSeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name; utime and stime are fields 14 and 15 of the whole line.
        let fields = text[text.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits until the log says `what`; the default timeout is a guard, not the expected time.
    func waitForLog(_ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation) async throws {
        if try await poll(timeout: timeout, every: .milliseconds(20), { log.contains(what) }) { return }
        Issue.record("the log never said \"\(what)\": \(log)", sourceLocation: sourceLocation)
        throw TimeoutError()
    }
}

extension ServerProcess: TestServer {
    /// ``stop()``, its exit status left aside (a test that checks it calls ``stop()`` itself; a
    /// second stop finds the process reaped and returns at once).
    func tearDown() async {
        _ = await stop()
    }
}

/// Text appended from a pipe's handler thread and read by the test.
final class SharedText: Sendable {
    private let storage = Mutex("")
    private let ended = Mutex(false)
    var value: String { storage.withLock { $0 } }
    func append(_ data: Data) { storage.withLock { $0 += String(decoding: data, as: UTF8.self) } }

    /// Whether the pipe's end of file has been seen: every byte the writer wrote is in ``value``.
    var isComplete: Bool { ended.withLock { $0 } }
    func complete() { ended.withLock { $0 = true } }
}

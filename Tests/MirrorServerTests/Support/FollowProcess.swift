import Foundation
import Glibc
import Testing

/// `sse-mirror follow …` (or a script that runs it) in its own process, its output collected as it
/// comes, so a test can change files while it runs and then wait for its exit.
final class FollowProcess: Sendable {
    private let process: Process
    private let stdout = SharedText()
    private let stderr = SharedText()

    var output: String { stdout.value }
    var errors: String { stderr.value }

    /// Runs the built `sse-mirror` with `arguments`, or `command` (a full command line) when given.
    init(_ arguments: [String], command: [String]? = nil, environment: [String: String] = [:]) throws {
        let line = command ?? [CommandLineTests.executable.path] + arguments
        process = Process()
        process.executableURL = URL(fileURLWithPath: line[0])
        process.arguments = Array(line.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        for (pipe, text) in [(Pipe(), stdout), (Pipe(), stderr)] {
            if text === stdout { process.standardOutput = pipe } else { process.standardError = pipe }
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    text.complete()
                } else {
                    text.append(data)
                }
            }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// The exit status (or the signal that ended it), once it exits and its output has all been
    /// read; a failure after `timeout`.
    func exitStatus(within timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int32 {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            Issue.record("follow did not exit; stdout: \(output) stderr: \(errors)", sourceLocation: sourceLocation)
            throw TimeoutError()
        }
        let status = await process.exited()
        // The pipes' last bytes may still be on their way to the handlers: wait for their ends of
        // file. (A child the command left running could still hold a pipe: then 10 s is enough.)
        _ = try await poll(timeout: .seconds(10)) { stdout.isComplete && stderr.isComplete }
        return status
    }

    var endedBySignal: Bool { process.terminationReason == .uncaughtSignal }

    func waitForOutput(
        _ what: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (String) -> Bool
    ) async throws {
        if try await poll(timeout: timeout, every: .milliseconds(20), { condition(output) }) { return }
        Issue.record("follow never printed \(what); stdout: \(output) stderr: \(errors)", sourceLocation: sourceLocation)
        throw TimeoutError()
    }
}

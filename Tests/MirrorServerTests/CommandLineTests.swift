import Foundation
import Glibc
import MirrorTestSupport
import Testing

/// The `sse-mirror` executable as a user runs it: a real process, its exit codes and output.
@Suite("command line", .timeLimit(.minutes(1)))
struct CommandLineTests {
    /// The executable built next to this test bundle.
    static let executable: URL = {
        let bundle = URL(fileURLWithPath: try! FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        return bundle.deletingLastPathComponent().appendingPathComponent("sse-mirror")
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        /// From the start to the exit: the child's own time, whatever else waits to launch.
        var elapsed: Duration = .zero
    }

    /// Children launched at once. The tests run at once, and twenty children started together
    /// share the cores and all take twenty times as long, so a check of how long one takes would
    /// measure the others.
    static let launches = Slots(limit: 4)

    /// Runs the executable to its end, blocking this thread: from an async test, ``launch(_:)``.
    func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let started = ContinuousClock.now
        try process.run()
        // Standard error is drained meanwhile: a child that fills one pipe while we wait at the
        // other's end would never exit.
        let stderr = SharedText()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stderr.append(err.fileHandleForReading.readDataToEndOfFile())
            drained.signal()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: stderr.value,
            elapsed: ContinuousClock.now - started
        )
    }

    /// ``run(_:)`` on a thread of its own, once one of ``launches`` is free: the wait for the
    /// child holds no thread of the test pool.
    func launch(_ arguments: [String]) async throws -> Output {
        await Self.launches.acquire(timeout: .seconds(60))
        do {
            let output = try await offPool { try run(arguments) }
            await Self.launches.release()
            return output
        } catch {
            await Self.launches.release()
            throw error
        }
    }

    func config(_ text: String, in directory: TemporaryDirectory) throws -> String {
        try directory.write("mirror.yaml", text)
        return directory.url("mirror.yaml")
    }

    @Test func checkAcceptsAValidConfig() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try config("streams:\n  - path: /config\n    watch: app.json\n", in: directory)
        let result = try await launch(["check", path])
        #expect(result.status == 0)
        #expect(result.stdout == "\(path): ok, 1 stream on 127.0.0.1:8080\n")
    }

    @Test func checkNamesWherePublishGoesWithoutItsPassword() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try config(
            """
            publish: {nchan: "http://mirror:hunter2@127.0.0.1:8081/pub/{stream}"}
            streams:
              - {path: /a, watch: a.json}
              - {path: /b, watch: b.json}
              - {path: /c, watch: c.json, publish: null}
            """, in: directory)
        let result = try await launch(["check", path])
        #expect(result.status == 0)
        #expect(result.stdout == "\(path): ok, 3 streams on 127.0.0.1:8080, 2 publishing to http://***@127.0.0.1:8081/pub/{stream}\n")
    }

    @Test func checkRejectsWithFileLineColumnAndExit2() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try config("streams:\n  - path: /config\n    watch: app.json\n    format: xml\n", in: directory)
        let result = try await launch(["check", path])
        #expect(result.status == 2)
        #expect(result.stderr == """
            \(path):4:13: error: format: unknown format 'xml' (supported: json, yaml, text, lines, manifest)
             4 |     format: xml
               |             ^

            """)
    }

    @Test func serveRejectsABadConfigBeforeBinding() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try config("listen: 127.0.0.1:0\nstreams:\n  - path: /healthz\n    watch: a.json\n", in: directory)
        let result = try await launch([path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("\(path):3:11: error: path: '/healthz' is reserved"))
        #expect(try await launch(["check", directory.url("missing.yaml")]).status == 2)
    }

    @Test func usageErrorsExit64() async throws {
        #expect(try await launch(["--no-such-flag"]).status == 64)
        let badListen = try await launch(["serve", "mirror.yaml", "--listen", "localhost"])
        #expect(badListen.status == 64)
        #expect(badListen.stderr.contains("--listen: expected HOST:PORT"))
    }

    @Test func versionAndHelp() async throws {
        let version = try await launch(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n")
        let help = try await launch(["help", "serve"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--listen <host:port>"))
        #expect(help.stdout.contains("--log-level <log-level>"))
    }

    /// The README's promise: start it, `curl -N` gets the document, `sed -i` sends a new `changed`,
    /// SIGTERM stops it cleanly.
    @Test func serveMirrorsAFileUntilSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"greeting": "hello"}"#)
        let path = try config("listen: 127.0.0.1:0\nheartbeat: 0\nstreams:\n  - path: /config\n    watch: app.json\n", in: directory)
        try await withServer(ServerProcess(config: path, in: directory)) { server in
            // The one line it logs at start says where it listens.
            #expect(server.log.contains("/config ← app.json"))
            let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/config")
            try await client.waitFor("first") { $0.count == 1 }
            let sed = Process()
            sed.executableURL = URL(fileURLWithPath: "/bin/sed")
            sed.arguments = ["-i", "s/hello/bye/", directory.url("app.json")]
            try sed.run()
            await sed.exited()
            let events = try await client.waitFor("change") { $0.count == 2 }
            #expect(events[1].data == #"{"greeting":"bye"}"#)
            #expect(await server.stop() == 0)
            try await client.waitUntilClosed()
        }
    }

    @Test func portInUseExits1() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(listener, $0, length) }
        }
        listen(listener, 1)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let path = try config("listen: 127.0.0.1:\(port)\nstreams:\n  - path: /config\n    watch: app.json\n", in: directory)
        let result = try await launch([path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot serve on 127.0.0.1:\(port): Address already in use (errno 98)\n"), "\(result.stderr)")
    }
}

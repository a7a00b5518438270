import Foundation
import Glibc
import MirrorServer
import MirrorTestSupport
import Testing

/// The real executable, run as users run it: an ordinary user without capabilities (when the tests
/// run as root they drop to `nobody`), signals from outside, a small open-file limit.
@Suite("the binary as users run it", .timeLimit(.minutes(1)))
struct ServerProcessTests {
    static let document = #"{"greeting": "hello"}"#

    func start(
        _ extraConfig: String = "",
        watch: String = "app.json",
        unprivileged: Bool = true,
        openFileLimit: Int? = nil,
        arguments: [String] = []
    ) async throws -> (TemporaryDirectory, ServerProcess) {
        let directory = try TemporaryDirectory()
        try directory.write("app.json", Self.document)
        let config = "listen: 127.0.0.1:0\nheartbeat: 0\n\(extraConfig)streams:\n  - path: /config\n    watch: \(watch)\n"
        try directory.write("mirror.yaml", config)
        do {
            let server = try await ServerProcess(
                config: directory.url("mirror.yaml"), in: directory, arguments: arguments, unprivileged: unprivileged, openFileLimit: openFileLimit)
            return (directory, server)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Serving and streaming with no privilege at all: a socket option that needs CAP_NET_ADMIN
    /// once made NIO reset every connection for everyone but root.
    @Test func servesAndStreamsAsAnUnprivilegedUser() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            if getuid() == 0 {
                #expect(server.status("Uid")?.hasPrefix("\(ServerProcess.unprivilegedUser)\t") == true)
                #expect(server.status("CapEff") == "0000000000000000")
            }
            let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/config")
            try await client.waitFor("the document") { $0.count == 1 }
            try directory.write("app.json", #"{"greeting": "bye"}"#)
            let events = try await client.waitFor("the change") { $0.count == 2 }
            #expect(events.map(\.name) == ["changed", "changed"])
            #expect(events[1].data == #"{"greeting":"bye"}"#)
            #expect(await server.stop() == 0)
            #expect(!server.log.contains("could not be set up"))
        }
    }

    /// SIGHUP and SIGUSR1/2 would end the process by default: they are logged, and it serves on.
    @Test func hangupAndUserSignalsAreLoggedAndIgnored() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            for number in [SIGHUP, SIGUSR1, SIGUSR2] { server.signal(number) }
            try await server.waitForLog("SIGHUP received")
            try await server.waitForLog("SIGUSR1 received and ignored")
            try await server.waitForLog("SIGUSR2 received and ignored")
            #expect(server.isRunning)
            let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/config")
            try await client.waitFor("the document") { $0.count == 1 }
            #expect(await server.stop() == 0)
        }
    }

    /// SIGTERM ends every chunked stream with its last chunk, so a client sees a clean end
    /// (`curl -N` exits 0, not 18 for a transfer closed with data outstanding).
    @Test func gracefulShutdownEndsStreamsCleanly() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/config")
            try await client.waitFor("the document") { $0.count == 1 }
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sN", "http://127.0.0.1:\(server.port)/config"]
            let output = Pipe()
            curl.standardOutput = output
            let received = SharedText()
            output.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil }
                received.append(data)
            }
            let curlRuns = FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
            if curlRuns {
                try curl.run()
                try await eventually { received.value.contains("event: changed") }
            }
            #expect(await server.stop() == 0)
            try await client.waitUntilClosed()
            #expect(client.text.hasSuffix("\r\n0\r\n\r\n"))
            if curlRuns {
                #expect(await curl.exited() == 0)
            }
        }
    }

    /// SIGTERM with thousands of clients: every stream gets its clean end and the process exits 0
    /// within 5 seconds.
    @Test func gracefulShutdownWithTwoThousandClientsTakesUnderFiveSeconds() async throws {
        let (directory, server) = try await start()
        defer { directory.remove() }
        try await withServer(server) { server in
            let group = MultiThreadedEventLoopGroupHolder.shared
            var clients: [TestClient] = []
            for _ in 0..<2000 {
                clients.append(try await TestClient.subscribe(port: server.port, group: group, path: "/config"))
            }
            for client in clients { try await client.waitFor("the document") { $0.count == 1 } }
            let started = ContinuousClock.now
            #expect(await server.stop() == 0)
            let took = ContinuousClock.now - started
            #expect(took < .seconds(5), "exited after \(took)")
            for client in clients {
                try await client.waitUntilClosed()
                #expect(client.text.hasSuffix("\r\n0\r\n\r\n"))
            }
        }
    }

    /// Out of descriptors, accept fails at once on every wakeup: the server must neither spin nor
    /// stay deaf, and the clients it has keep their streams.
    @Test func outOfDescriptorsBacksOffLogsOnceAndRecovers() async throws {
        let (directory, server) = try await start(openFileLimit: 64)
        defer { directory.remove() }
        try await withServer(server) { server in
            let group = MultiThreadedEventLoopGroupHolder.shared
            var clients: [TestClient] = []
            for _ in 0..<60 {
                clients.append(try await TestClient.subscribe(port: server.port, group: group, path: "/config"))
            }
            try await server.waitForLog("cannot accept connections")
            let served = clients.filter { !$0.events.isEmpty }
            #expect(served.count > 20 && served.count < 60)
            let before = server.cpuSeconds()
            try await Task.sleep(for: .seconds(2))
            let spent = server.cpuSeconds() - before
            #expect(spent < 0.5, "CPU seconds spent in 2 s while out of descriptors: \(spent)")
            #expect(server.log.components(separatedBy: "cannot accept connections").count == 2, "\(server.log)")
            // The connected clients keep their streams, and a change that cannot be read for want of a
            // descriptor is not reported as an invalid file: it is read once descriptors are back.
            #expect(served.allSatisfy { !$0.isClosed })
            try directory.write("app.json", #"{"greeting": "during"}"#)
            try await Task.sleep(for: .milliseconds(500))
            #expect(served[0].events.count == 1, "\(served[0].events)")
            // Once some leave, the waiting ones and a new one are served within the back-off.
            for client in served.prefix(served.count - 5) { await client.close() }
            let late = try await TestClient.subscribe(port: server.port, group: group, path: "/config")
            try await late.waitFor("the document, late", timeout: .seconds(10)) { $0.first?.name == "changed" }
            try await server.waitForLog("accepting connections again")
            try await served.last!.waitFor("the change made while out of descriptors") { $0.last?.data == #"{"greeting":"during"}"# }
            #expect(!served.last!.events.contains { $0.name == "invalid" })
            try directory.write("app.json", #"{"greeting": "still here"}"#)
            for client in served.suffix(5) + [late] {
                try await client.waitFor("the change") { $0.last?.data == #"{"greeting":"still here"}"# }
            }
            for client in clients { await client.close() }
            await late.close()
            #expect(await server.stop() == 0)
        }
    }

    /// A non-loopback listen address is allowed, but said out loud.
    @Test func listeningBeyondLoopbackWarns() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", Self.document)
        try directory.write("mirror.yaml", "listen: 0.0.0.0:0\nheartbeat: 0\nstreams:\n  - path: /config\n    watch: app.json\n")
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            try await server.waitForLog("which is not a loopback address")
            #expect(await server.stop() == 0)
        }
    }

    /// Text from the config or from clients cannot split a log entry into forged lines.
    @Test func aNewlineInAWatchPathStaysInItsLogLine() async throws {
        let (directory, server) = try await start(watch: #""app\njson""#)
        defer { directory.remove() }
        try await withServer(server) { server in
            let line = server.log.split(separator: "\n").first { $0.contains("listening on") }
            #expect(line?.contains(#"/config ← app\njson"#) == true, "\(server.log)")
            #expect(await server.stop() == 0)
        }
    }

    /// `--log-format json`: every line is one JSON object with the fields collectors key on, and
    /// text from outside (a newline in a watch path) stays inside its string.
    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let (directory, server) = try await start(watch: #""app\njson""#, arguments: ["--log-format", "json"])
        defer { directory.remove() }
        try await withServer(server) { server in
            #expect(await server.stop() == 0)
            let lines = server.log.split(separator: "\n")
            #expect(lines.count >= 2, "\(server.log)")
            var listening: [String: Any]?
            for line in lines {
                let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                #expect(entry["label"] as? String == "sse-mirror")
                #expect((entry["level"] as? String).map { ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains($0) } == true)
                let timestamp = try #require(entry["timestamp"] as? String)
                #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(timestamp)")
                if (entry["message"] as? String)?.contains("listening on") == true { listening = entry }
            }
            let metadata = try #require(listening?["metadata"] as? [String: Any], "\(server.log)")
            #expect(metadata["streams"] as? String == "/config ← app\njson")
        }
    }

    /// `MirrorServer.ServerLimits` names the module's type: no type inside the module shadows it.
    @Test func moduleQualifiedNamesResolve() {
        let limits = MirrorServer.ServerLimits(maximumQueuedBytes: 1)
        #expect(limits.maximumQueuedBytes == 1)
    }
}

/// `tls:` through the real binary and a real TLS client (curl), with a certificate made for the test.
@Suite("TLS", .timeLimit(.minutes(1)))
struct TLSTests {
    static let tools = ["/usr/bin/openssl", "/usr/bin/curl"]

    /// A self-signed certificate for 127.0.0.1 and localhost, made with openssl(1).
    static func makeCertificate(in directory: TemporaryDirectory) async throws {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", directory.url("key.pem"), "-out", directory.url("cert.pem"),
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        #expect(await openssl.exited() == 0)
        chmod(directory.url("key.pem"), 0o644)
    }

    /// curl's output and exit status. It blocks this thread: from an async test, ``fetch(_:)``.
    static func curl(_ arguments: [String]) throws -> (String, Int32) {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "--max-time", "5"] + arguments
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), curl.terminationStatus)
    }

    /// ``curl(_:)`` on a thread of its own: the wait holds no thread of the test pool.
    static func fetch(_ arguments: [String]) async throws -> (String, Int32) {
        try await offPool { try curl(arguments) }
    }

    @Test(.enabled(if: tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }, "needs openssl and curl"))
    func aStreamIsServedOverTLSAndPlainHTTPIsNot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await Self.makeCertificate(in: directory)
        try directory.write("app.json", #"{"secure":true}"#)
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\ntls: {cert: cert.pem, key: key.pem}\nstreams:\n  - path: /config\n    watch: app.json\n")
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            #expect(server.log.contains("listening on https://127.0.0.1:"))
            let url = "https://127.0.0.1:\(server.port)/config"
            let (document, status) = try await Self.fetch(["--cacert", directory.url("cert.pem"), "-H", "Accept: application/json", url])
            #expect(status == 0 && document == #"{"secure":true}"#, "\(status): \(document)")
            let (events, _) = try await Self.fetch(["--cacert", directory.url("cert.pem"), "-N", "--max-time", "2", url])
            #expect(events.contains("event: changed\n") && events.contains(#"data: {"secure":true}"#))
            // Plain HTTP on the TLS port gets no answer a client could take for one.
            let (plain, _) = try await Self.fetch(["-H", "Accept: application/json", "http://127.0.0.1:\(server.port)/config"])
            #expect(!plain.contains("secure"))
            #expect(await server.stop() == 0)
        }
    }
}

import Crypto
import Foundation
import Glibc
import MirrorCore
import NIOCore
import NIOPosix
import Synchronization
import MirrorTestSupport
import Testing
import MirrorDocument

/// A CI job must never act on half an artifact. The real server runs as `nobody` over files that
/// root writes (so no read lease can be taken: only inotify can know), writers behave as the ones
/// seen in real builds, and two things are checked: `follow --until` fires only after the writer's
/// close, and no version of the manifest that any subscriber received ever carries a `sha256` other
/// than the hash of the whole file.
@Suite("partial artifacts", .timeLimit(.minutes(5)))
struct PartialArtifactTests {
    /// The writers of issue 17, each run three times per server.
    enum Writer: String, CaseIterable, Sendable {
        /// write 1 MiB, pause 1.5 s, write 1 MiB, close.
        case slowCompressor
        /// 64 MiB arriving 1 MiB every 50 ms.
        case download
        /// created, then written in bursts 0.4 s apart, then closed.
        case bursts
        /// `cp` of a 64 MiB file.
        case copy

        /// (bytes, pause after) for each write.
        var writes: [(bytes: Int, pause: Duration)] {
            switch self {
            case .slowCompressor: [(1 << 20, .milliseconds(1500)), (1 << 20, .zero)]
            case .download: Array(repeating: (1 << 20, .milliseconds(50)), count: 64)
            case .bursts: [(0, .milliseconds(400))] + Array(repeating: (300_000, .milliseconds(400)), count: 5)
            case .copy: []
            }
        }
    }

    static let runs = 3
    static let config = "listen: 127.0.0.1:0\nheartbeat: 0\nstreams:\n  - path: /artifacts\n    watch: art/\n"

    @Test(arguments: Writer.allCases)
    func followUntilFiresOnlyAfterTheWritersClose(_ writer: Writer) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art")
        try directory.write("mirror.yaml", Self.config)
        if writer == .copy { try await offPool { try Self.writeSource(directory.url("source.bin"), bytes: 64 << 20) } }
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let subscriber = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroup.singleton, path: "/artifacts")
            _ = try await subscriber.waitFor("the first manifest", timeout: .seconds(30)) { $0.contains { $0.name == "changed" } }

            var finalHashes: [String: String] = [:]
            for run in 1...Self.runs {
                let key = "app-\(run).tar.gz"
                let path = directory.url("art/" + key)
                let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/artifacts", "--until", "/" + key, "--timeout", "120"])
                try await Self.waitForClients(2, server: server)
                let early = try await offPool {
                    try Self.write(writer, to: path, source: directory.url("source.bin")) {
                        // Just before the close: follow must still be waiting.
                        !follow.output.isEmpty
                    }
                }
                #expect(!early, "\(writer) run \(run): follow --until fired before the writer closed the file: \(follow.output)")
                let hash = try await offPool { try Self.sha256(of: path) }
                finalHashes[key] = hash
                #expect(try await follow.exitStatus(within: .seconds(60)) == 0, "\(writer) run \(run): \(follow.errors)")
                let printed = try JSONParser.parse(Array(follow.output.utf8))
                #expect(printed[member: key]?[member: "sha256"] == .string(hash), "\(writer) run \(run): follow printed \(follow.output.prefix(300))")
            }
            // Every version any subscriber got: a hash, when there is one, is the whole file's.
            let final = finalHashes
            let events = try await subscriber.waitFor("every file whole", timeout: .seconds(30)) { events in
                guard let document = try? ResumeTests.follow(events) else { return false }
                return final.allSatisfy { document[member: $0.key]?[member: "sha256"] == .string($0.value) }
            }
            var sawWriting = Set<String>()
            for version in try Self.versions(events) {
                guard case .object(let entries) = version else { continue }
                for (key, entry) in entries {
                    if entry[member: "writing"] == .bool(true) {
                        sawWriting.insert(key)
                        #expect(entry[member: "sha256"] == nil, "\(key): a writing entry with a hash: \(entry)")
                    } else if let hash = entry[member: "sha256"] {
                        #expect(hash == .string(final[key] ?? ""), "\(writer): \(key) was published with the hash of a partial file (\(entry))")
                    }
                }
            }
            if writer != .copy {
                // cp may finish within the settle time; the slow writers are seen in progress.
                #expect(sawWriting == Set(final.keys), "\(writer): seen in progress: \(sawWriting.sorted())")
            }
            #expect(await server.stop() == 0)
        }
    }

    /// A writer that keeps its file open for good (a log in the artifacts folder) is visible as in
    /// progress, and `follow --until` on it times out (124); once closed, it is whole.
    @Test func aFileHeldOpenStaysWritingAndFollowTimesOut() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art")
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let fd = open(directory.url("art/build.log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            try #require(fd >= 0)
            fchmod(fd, 0o644)
            var closed = false
            defer { if !closed { close(fd) } }
            _ = Glibc.write(fd, "compiling\n", 10)
            let url = "http://127.0.0.1:\(server.port)/artifacts"
            let writing = try await poll(timeout: .seconds(30), every: .milliseconds(50)) {
                let document = try? JSONParser.parse(Array(try await Self.get(url, port: server.port).utf8))
                return document?[member: "build.log"] == ["size": 10, "mtime": document?[member: "build.log"]?[member: "mtime"] ?? .null, "writing": true]
            }
            #expect(writing, "the held file never showed as writing")
            let follow = try FollowProcess(["follow", url, "--until", "/build.log", "--timeout", "2s"])
            #expect(try await follow.exitStatus(within: .seconds(30)) == 124, "follow: \(follow.output) \(follow.errors)")
            close(fd)
            closed = true
            let whole = try await poll(timeout: .seconds(30), every: .milliseconds(50)) {
                let document = try? JSONParser.parse(Array(try await Self.get(url, port: server.port).utf8))
                return document?[member: "build.log"]?[member: "sha256"] == .string(try Self.sha256(of: directory.url("art/build.log")))
                    && document?[member: "build.log"]?[member: "writing"] == nil
            }
            #expect(whole, "the closed file never got its hash")
            #expect(await server.stop() == 0)
        }
    }

    /// A file renamed while its writer holds it (a `.part` renamed early, a folder of outputs
    /// renamed, a file moved into a subfolder) is still being written under its new name: the move
    /// carries `writing`, so `follow --until` on the new name waits for the close.
    @Test(arguments: [("x.part", "x"), ("out/app.bin", "done/app.bin"), ("z.bin", "sub/z.bin")])
    func aFileRenamedWhileWrittenStaysWriting(_ from: String, _ to: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art/sub")
        try directory.mkdir("art/out")
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let subscriber = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroup.singleton, path: "/artifacts")
            _ = try await subscriber.waitFor("the first manifest", timeout: .seconds(30)) { $0.contains { $0.name == "changed" } }
            let pointer = "/" + to.replacingOccurrences(of: "/", with: "~1")
            let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/artifacts", "--until", pointer, "--timeout", "120"])
            try await Self.waitForClients(2, server: server)
            let fd = open(directory.url("art/" + from), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            try #require(fd >= 0)
            fchmod(fd, 0o644)
            _ = Self.block(1, size: 200_000).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            // Seen as written under its first name, then moved.
            _ = try await subscriber.waitFor("the first name in progress", timeout: .seconds(30)) { events in
                (try? ResumeTests.follow(events))?[member: from]?[member: "writing"] == .bool(true)
            }
            if from.hasPrefix("out/") {
                try directory.rename("art/out", "art/done")
            } else {
                try directory.rename("art/" + from, "art/" + to)
            }
            _ = try await subscriber.waitFor("the new name", timeout: .seconds(30)) { events in
                (try? ResumeTests.follow(events))?[member: to] != nil
            }
            try await Task.sleep(for: .milliseconds(600))
            let early = !follow.output.isEmpty
            _ = Self.block(2, size: 200_000).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            #expect(!early, "follow --until fired before the close: \(follow.output)")
            let hash = try await offPool { try Self.sha256(of: directory.url("art/" + to)) }
            #expect(try await follow.exitStatus(within: .seconds(60)) == 0)
            let events = try await subscriber.waitFor("the whole file", timeout: .seconds(30)) { events in
                (try? ResumeTests.follow(events))?[member: to]?[member: "sha256"] == .string(hash)
            }
            for version in try Self.versions(events) {
                if let seen = version[member: to]?[member: "sha256"] {
                    #expect(seen == .string(hash), "\(to) was published with the hash of half the file")
                }
            }
            #expect(await server.stop() == 0)
        }
    }

    /// A file (or a folder holding one) moved into the tree from outside while its writer holds
    /// it: no watch saw where it came from, so it counts as written until an event names it (its
    /// writer's next write or close) or 2 s pass with none.
    @Test(arguments: ["file", "folder"])
    func aFileMovedInWhileWrittenWaitsForItsClose(_ what: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art")
        try directory.mkdir("outside/dist")
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            for run in 1...Self.runs {
                let key = what == "file" ? "moved-\(run).bin" : "dist\(run)/app.bin"
                let source = what == "file" ? "outside/moved-\(run).bin" : "outside/dist/app.bin"
                try await Self.expectWholeAtClose(key, server: server, in: directory, path: "art/" + key, label: "\(what) run \(run)") {
                    if what == "folder" { mkdir(directory.url("outside/dist"), 0o755) }
                    let fd = try Self.startWriting(directory.url(source), run: run)
                    // Moved in, the writer still at work: it pauses, then writes the rest.
                    let from = what == "file" ? source : "outside/dist"
                    let to = what == "file" ? "art/" + key : "art/dist\(run)"
                    guard Glibc.rename(directory.url(from), directory.url(to)) == 0 else { throw POSIXError(.EIO) }
                    usleep(1_200_000)
                    return fd
                }
            }
            #expect(await server.stop() == 0)
        }
    }

    /// `mkdir -p out` and a file written in it at once, before the new folder's watch exists (and
    /// the same for a root that appears after the start): the writer opened the file unseen, so it
    /// counts as written until an event names it. A pause shorter than ``TreeSource``'s quiet time
    /// (2 s) never lets `--until` fire before the close.
    @Test(arguments: ["out/app.tar.gz", "root"])
    func aFileWrittenInANewFolderAtOnceWaitsForItsClose(_ place: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        if place != "root" { try directory.mkdir("art") }
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            for run in 1...Self.runs {
                let folder = place == "root" ? "art" : "art/out\(run)"
                let key = place == "root" ? "app-\(run).tar.gz" : "out\(run)/app.tar.gz"
                let path = folder + "/" + (place == "root" ? key : "app.tar.gz")
                try await Self.expectWholeAtClose(key, server: server, in: directory, path: path, label: "run \(run)") {
                    // mkdir, open, write: within microseconds, before the server can watch the folder.
                    if place == "root" && run > 1 { try? FileManager.default.removeItem(atPath: directory.url(folder)) }
                    mkdir(directory.url(folder), 0o755)
                    let fd = try Self.startWriting(directory.url(path), run: run)
                    usleep(1_500_000)
                    return fd
                }
            }
            #expect(await server.stop() == 0)
        }
    }

    /// A lease break is told to the lease holder by SIGIO, whose default action ends the process;
    /// the server takes read leases to ask whether a writer holds a file, so it must survive one.
    @Test func theServerSurvivesSIGIO() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art")
        try directory.write("art/a.txt", "a")
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory, unprivileged: false)) { server in
            server.signal(SIGIO)
            try directory.write("art/b.txt", "b")
            let url = "http://127.0.0.1:\(server.port)/artifacts"
            let seen = try await poll(timeout: .seconds(30), every: .milliseconds(50)) {
                (try? JSONParser.parse(Array(try await Self.get(url, port: server.port).utf8)))?[member: "b.txt"]?[member: "sha256"] != nil
            }
            #expect(seen && server.isRunning, "the server did not survive SIGIO: \(server.log)")
            #expect(await server.stop() == 0)
        }
    }

    // MARK: - Helpers

    /// Runs `start` off the pool (it opens the file at `path` and writes a first part, returning
    /// the descriptor), checks that `follow --until /key`, started before, has not fired, writes
    /// the rest and closes; then follow must exit 0 with the whole file's hash.
    static func expectWholeAtClose(
        _ key: String, server: ServerProcess, in directory: TemporaryDirectory, path: String, label: String,
        start: @escaping @Sendable () throws -> Int32, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let follow = try FollowProcess(["follow", "http://127.0.0.1:\(server.port)/artifacts", "--until", "/" + key.replacingOccurrences(of: "/", with: "~1"), "--timeout", "120"])
        try await waitForClients(1, server: server)
        let early = try await offPool {
            let fd = try start()
            let early = !follow.output.isEmpty
            _ = block(99, size: 1 << 20).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            return early
        }
        #expect(!early, "\(label): follow --until fired before the close: \(follow.output)", sourceLocation: sourceLocation)
        let hash = try await offPool { try sha256(of: directory.url(path)) }
        #expect(try await follow.exitStatus(within: .seconds(60)) == 0, sourceLocation: sourceLocation)
        let printed = try JSONParser.parse(Array(follow.output.utf8))
        #expect(printed[member: key]?[member: "sha256"] == .string(hash), "\(label): \(follow.output.prefix(300))", sourceLocation: sourceLocation)
    }

    /// Opens `path` for writing (readable by everyone) and writes a first MiB.
    static func startWriting(_ path: String, run: Int) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        fchmod(fd, 0o644)
        _ = block(run, size: 1 << 20).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return fd
    }

    /// Writes as `writer` does; `beforeClose` runs just before the close, and its answer is returned.
    static func write(_ writer: Writer, to path: String, source: String, beforeClose: () -> Bool) throws -> Bool {
        if writer == .copy {
            let early = beforeClose()
            let copy = Process()
            copy.executableURL = URL(fileURLWithPath: "/bin/cp")
            copy.arguments = [source, path]
            try copy.run()
            copy.waitUntilExit()
            return early
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        fchmod(fd, 0o644)
        for (number, (size, pause)) in writer.writes.enumerated() {
            let bytes = block(number, size: size)
            var written = 0
            while written < bytes.count {
                let got = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard got > 0 else { close(fd); throw POSIXError(.EIO) }
                written += got
            }
            if pause > .zero { usleep(UInt32(pause / .microseconds(1))) }
        }
        let early = beforeClose()
        close(fd)
        return early
    }

    static func writeSource(_ path: String, bytes: Int) throws {
        var data = Data()
        for number in 0..<(bytes >> 20) { data.append(contentsOf: block(number, size: 1 << 20)) }
        try data.write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
    }

    /// One MiB of noise, made once; each write stamps its number in, so no two writes are alike.
    static let noise: [UInt8] = {
        var generator = SplitMix64(seed: 7)
        return (0..<(1 << 17)).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
    }()

    static func block(_ number: Int, size: Int) -> [UInt8] {
        var bytes = Array(noise.prefix(size))
        withUnsafeBytes(of: UInt64(number)) { stamp in
            for (offset, byte) in stamp.enumerated() where offset < bytes.count { bytes[offset] = byte }
        }
        return bytes
    }

    static func sha256(of path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Every document version the events carried, in order.
    static func versions(_ events: [ReceivedEvent]) throws -> [JSONValue] {
        var versions: [JSONValue] = []
        for index in events.indices where ["changed", "patch", "merge-patch"].contains(events[index].name) {
            if let document = try ResumeTests.follow(Array(events[...index])) { versions.append(document) }
        }
        return versions
    }

    static func waitForClients(_ count: Int, server: ServerProcess) async throws {
        let joined = try await poll(timeout: .seconds(30), every: .milliseconds(20)) {
            let health = try? JSONParser.parse(Array(try await get("http://127.0.0.1:\(server.port)/healthz", port: server.port).utf8))
            return (health?[member: "clients"]).map { $0 == .number(JSONNumber(count)) } ?? false
        }
        if !joined { throw TimeoutError() }
    }

    /// A plain JSON GET by curl, waited for off the cooperative pool.
    static func get(_ url: String, port: Int) async throws -> String {
        let path = String(url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
        let output = try await offPool {
            try TreeTruth.run("/usr/bin/curl", ["-sS", "--max-time", "10", "-H", "Accept: application/json", "http://127.0.0.1:\(port)\(path)"])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension JSONValue {
    /// The member `key` of an object (nil for anything else).
    fileprivate subscript(member key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }
}

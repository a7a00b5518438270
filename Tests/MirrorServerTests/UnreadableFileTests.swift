import Foundation
import Glibc
import Testing

/// A watched file that becomes unreadable (EACCES) and readable again. Root reads any file, so
/// the server is the real binary run as `nobody` (``ServerProcess``); the test, as root, changes
/// the modes. A chmod sends only IN_ATTRIB and moves only the ctime, which is all the watcher
/// has to go on.
@Suite("unreadable files", .timeLimit(.minutes(1)))
struct UnreadableFileTests {
    @Test func unreadableIsInvalidThenRecovers() async throws {
        try #require(getuid() == 0, "needs root, to run the server as another user")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"n": 1}"#)
        try directory.write("app.log", "one\n")
        chmod(directory.url("app.log"), 0)
        try directory.write("mirror.yaml", WatchFallbackTests.config())
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let group = MultiThreadedEventLoopGroupHolder.shared
            let file = try await TestClient.subscribe(port: server.port, group: group, path: "/config")
            try await file.waitFor("the document") { $0.count == 1 }

            chmod(directory.url("app.json"), 0)
            var events = try await file.waitFor("invalid") { $0.count == 2 }
            #expect(events[1].name == "invalid")
            #expect(events[1].data.contains("cannot read the file: Permission denied"), "\(events[1].data)")
            // The last good state stays published.
            let late = try await TestClient.subscribe(port: server.port, group: group, path: "/config")
            let replay = try await late.waitFor("the replay") { $0.count == 2 }
            #expect(replay[0].data == #"{"n":1}"#)
            await late.close()
            // Written while unreadable (root writes anyway), then made readable: mirrored again.
            try directory.write("app.json", #"{"n": 2}"#)
            chmod(directory.url("app.json"), 0o644)
            events = try await file.waitFor("the recovery") { $0.last?.name == "changed" && $0.count > 2 }
            #expect(events.last?.data == #"{"n":2}"#)

            // A log that cannot be opened is invalid, and followed once it can be.
            let log = try await TestClient.subscribe(port: server.port, group: group, path: "/log")
            let start = try await log.waitFor("the log's state") { $0.count == 2 }
            #expect(start.map(\.name) == ["changed", "invalid"])
            #expect(start[1].data.contains("Permission denied"), "\(start[1].data)")
            chmod(directory.url("app.log"), 0o644)
            let lines = try await log.waitFor("the lines") { $0.last?.name == "appended" }
            #expect(lines.last?.data == #"["one"]"#)
            await file.close()
            await log.close()
            #expect(await server.stop() == 0)
        }
    }
}

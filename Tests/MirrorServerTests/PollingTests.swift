import Glibc
import MirrorCore
import Testing

/// `watch_mode: poll` through a real server: no inotify at all, so each save style is caught by
/// comparing stat (inode, size, mtime, ctime) alone, as on a filesystem that sends no events.
@Suite("polling", .timeLimit(.minutes(1)))
struct PollingTests {
    static let policy = WatchPolicy(mode: .poll, pollInterval: .milliseconds(50))

    /// Runs `body` with a polled server on `{"n": 1}` and a client holding that first document;
    /// the server is stopped when `body` is done.
    func withPolledServer<T>(_ body: (MirrorFixture, TestClient) async throws -> T) async throws -> T {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"n": 1}"#], watching: Self.policy)) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the first document") { $0.count == 1 }
            // As /healthz reports it.
            let health = try await fixture.request("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await health.waitUntilClosed()
            #expect(health.body.contains(/"path":"\/config"[^}]*"watch_mode":"polling","polling_reason":"watch_mode: poll"/), "\(health.body)")
            return try await body(fixture, client)
        }
    }

    /// Makes `change` (given the folder and the file's path) once a client holds the first
    /// document, and returns the client's events once there are two.
    func events(after change: (TemporaryDirectory, String) throws -> Void) async throws -> [ReceivedEvent] {
        return try await withPolledServer { fixture, client in
            try change(fixture.directory, fixture.directory.url("app.json"))
            let events = try await client.waitFor("the change") { $0.count == 2 }
            await client.close()
            return events
        }
    }

    func modified(_ path: String) -> timespec {
        var info = stat()
        stat(path, &info)
        return info.st_mtim
    }

    @Test func inPlaceWrite() async throws {
        let events = try await events { directory, _ in
            try directory.writeInPlace("app.json", [#"{"n": "#, "2}"], pause: .milliseconds(20))
        }
        #expect(events[1].name == "changed")
        #expect(events[1].data == #"{"n":2}"#)
    }

    @Test func atomicRenameOver() async throws {
        let events = try await events { directory, _ in
            try directory.write("app.json.tmp", #"{"n": 2}"#)
            try directory.rename("app.json.tmp", "app.json")
        }
        #expect(events[1].data == #"{"n":2}"#)
    }

    @Test func deleteAndRecreate() async throws {
        try await withPolledServer { fixture, client in
            try fixture.directory.unlink("app.json")
            try await client.waitFor("the removal") { $0.count == 2 }
            try fixture.directory.write("app.json", #"{"n": 3}"#)
            let events = try await client.waitFor("the new file") { $0.count == 3 }
            #expect(events.map(\.name) == ["changed", "removed", "changed"])
            #expect(events[2].data == #"{"n":3}"#)
            await client.close()
        }
    }

    /// A rewrite that puts the mtime back (`rsync -t`, `touch -r`): the size tells.
    @Test func sameModifiedTimeDifferentSize() async throws {
        let events = try await events { directory, path in
            let before = modified(path)
            try directory.write("app.json", #"{"n": 22}"#)
            var times = [before, before]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
            #expect(modified(path).tv_sec == before.tv_sec && modified(path).tv_nsec == before.tv_nsec)
        }
        #expect(events[1].data == #"{"n":22}"#)
    }

    /// Same size, same inode: the mtime tells.
    @Test func sameSizeDifferentModifiedTime() async throws {
        let events = try await events { directory, path in
            let later = timespec(tv_sec: modified(path).tv_sec + 5, tv_nsec: 0)
            try directory.write("app.json", #"{"n": 4}"#)
            var times = [later, later]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        }
        #expect(events[1].data == #"{"n":4}"#)
    }
}

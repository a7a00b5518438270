import Foundation
import Glibc
import Testing

/// The real binary where inotify cannot be had, made so for real and for it alone: it runs in a
/// user namespace of its own whose inotify limit (/proc/sys/user/max_inotify_*, per namespace
/// since Linux 4.9) is 0, so the kernel itself refuses the instance (EMFILE) or every watch
/// (ENOSPC). Nothing outside the namespace changes. The file, the log and the folder are polled
/// instead, and the fallback is logged once per stream.
@Suite("the binary where inotify cannot serve", .timeLimit(.minutes(1)))
struct WatchFallbackTests {
    /// A config with a file stream (`/config`, app.json), a line stream (`/log`, app.log) and a
    /// folder (`/art`, art/).
    static func config(_ topLevel: String = "") -> String {
        """
        listen: 127.0.0.1:0
        heartbeat: 0
        \(topLevel)streams:
          - path: /config
            watch: app.json
          - path: /log
            watch: app.log
            format: lines
          - path: /art
            watch: art/

        """
    }

    /// Runs the server with `/proc/sys/user/<limit>` set to 0 in its own user namespace, checks
    /// that both streams follow changes, and that the log names `reason` once per stream.
    func followsByPolling(limit: String, reason: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"n": 1}"#)
        try directory.write("app.log", "one\n")
        try directory.mkdir("art")
        try directory.write("art/a.txt", "a")
        try directory.write("mirror.yaml", Self.config("poll_interval: 100ms\n"))
        let wrapper = ["/usr/bin/unshare", "--user", "--map-root-user", "--", "/bin/sh", "-c",
                       "echo 0 > /proc/sys/user/\(limit) && exec \"$@\"", "sh"]
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory, unprivileged: false, wrapper: wrapper)) { server in
            let group = MultiThreadedEventLoopGroupHolder.shared
            let file = try await TestClient.subscribe(port: server.port, group: group, path: "/config")
            let log = try await TestClient.subscribe(port: server.port, group: group, path: "/log")
            try await file.waitFor("the document") { $0.count == 1 }
            try await log.waitFor("the first lines") { $0.count == 1 }
            let tree = try await TestClient.subscribe(port: server.port, group: group, path: "/art")
            try await tree.waitFor("the first manifest") { $0.count == 1 }
            try directory.write("art/b.txt", "b")
            let manifests = try await tree.waitFor("the new file") { $0.count == 2 }
            #expect(manifests[1].data.contains("b.txt"))
            try directory.unlink("art/a.txt")
            let removal = try await tree.waitFor("the removal") { $0.count == 3 }
            #expect(removal[2].data == #"[{"op":"remove","path":"/a.txt"}]"#, "\(removal[2])")
            try directory.write("app.json", #"{"n": 2}"#)
            let events = try await file.waitFor("the change") { $0.count == 2 }
            #expect(events[1].data == #"{"n":2}"#)
            let fd = open(directory.url("app.log"), O_WRONLY | O_APPEND | O_CLOEXEC)
            _ = Glibc.write(fd, "two\n", 4)
            close(fd)
            let lines = try await log.waitFor("the appended line") { $0.count == 2 }
            #expect(lines[1].name == "appended")
            #expect(lines[1].data == #"["two"]"#)
            // Several polls later, still one warning per stream, and one for the config file (watched for reloads).
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.log.components(separatedBy: "polling it instead").count - 1 == 4, "\(server.log)")
            let health = try await TestClient.connect(port: server.port, group: group, request: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await health.waitUntilClosed()
            #expect(health.body.contains(#""path":"/art","watch":"art/","kind":"tree","state":"ok","clients":1,"watch_mode":"polling""#), "\(health.body)")
            await tree.close()
            for name in ["app.json", "app.log", "art/", "mirror.yaml"] {
                #expect(server.log.components(separatedBy: "\(name) [MirrorCore] inotify cannot serve this file").count - 1 == 1, "\(name)")
            }
            #expect(server.log.contains(reason), "\(server.log)")
            await file.close()
            await log.close()
            #expect(await server.stop() == 0)
        }
    }

    /// inotify_init1(2) fails with EMFILE: the per-user limit of instances is reached.
    @Test func noInotifyInstance() async throws {
        try await followsByPolling(limit: "max_inotify_instances", reason: "inotify_init1: Too many open files")
    }

    /// inotify_add_watch(2) fails with ENOSPC: the per-user limit of watches is reached.
    @Test func noInotifyWatch() async throws {
        try await followsByPolling(limit: "max_inotify_watches", reason: "No space left on device")
    }
}

import Foundation
import Glibc
import Testing

/// A tree polled because a watch was refused goes back to inotify once the cause is gone (it tries
/// every minute), and its polling, meanwhile, sees a same-size rewrite that sets the mtime back
/// (its quick check includes ctime). The real binary runs in a user namespace of its own whose
/// inotify watch limit (/proc/sys/user/max_inotify_watches) is 0; the test raises it from outside
/// with nsenter(1), as an operator raises fs.inotify.max_user_watches.
@Suite("a polled tree's way back to inotify", .timeLimit(.minutes(4)))
struct TreeWatchRecoveryTests {
    @Test func aPolledTreeGoesBackToInotifyWhenWatchesCanBeHad() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art")
        try directory.write("art/a.txt", "aaaa")
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\nheartbeat: 0\npoll_interval: 200ms\nstreams:\n  - path: /art\n    watch: art/\n")
        let wrapper = ["/usr/bin/unshare", "--user", "--map-root-user", "--", "/bin/sh", "-c",
                       "echo 0 > /proc/sys/user/max_inotify_watches && exec \"$@\"", "sh"]
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory, unprivileged: false, wrapper: wrapper)) { server in
            let group = MultiThreadedEventLoopGroupHolder.shared
            let tree = try await TestClient.subscribe(port: server.port, group: group, path: "/art")
            let first = try await tree.waitFor("the first manifest", timeout: .seconds(30)) { $0.count == 1 }
            #expect(try await Self.watchMode(server) == "polling")

            // Polling: the same size and the mtime set back, only the ctime tells (rsync -t, touch -d).
            var before = stat()
            stat(directory.url("art/a.txt"), &before)
            try directory.writeInPlace("art/a.txt", ["bbbb"])
            var times = [before.st_atim, before.st_mtim]
            utimensat(AT_FDCWD, directory.url("art/a.txt"), &times, 0)
            let digest = Self.sha256("bbbb")
            #expect(!first[0].data.contains(digest))
            let rewritten = try await tree.waitFor("the same-size rewrite", timeout: .seconds(30)) { $0.last?.data.contains(digest) == true }
            let count = rewritten.count

            // The limit raised inside the server's namespace: within the minute's retry, inotify again.
            let raise = Process()
            raise.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
            raise.arguments = ["--user", "--target", String(server.pid), "--", "/bin/sh", "-c", "echo 65536 > /proc/sys/user/max_inotify_watches"]
            try raise.run()
            raise.waitUntilExit()
            try #require(raise.terminationStatus == 0)
            let back = try await poll(timeout: .seconds(150), every: .milliseconds(250)) { try await Self.watchMode(server) == "inotify" }
            #expect(back, "the tree never went back to inotify: \(server.log)")
            #expect(server.log.contains("inotify serves this file again"), "\(server.log)")
            // The warning was said once, not once a minute.
            #expect(server.log.components(separatedBy: "art/ [MirrorCore] inotify cannot serve this file").count - 1 == 1, "\(server.log)")
            try directory.write("art/c.txt", "c")
            let added = try await tree.waitFor("the new file", timeout: .seconds(30)) { $0.count > count && $0.last?.data.contains("c.txt") == true }
            #expect(added.count > count)
            await tree.close()
            #expect(await server.stop() == 0)
        }
    }

    static func watchMode(_ server: ServerProcess) async throws -> String? {
        let health = try await TestClient.connect(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, request: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try await health.waitUntilClosed()
        return health.body.firstMatch(of: /"path":"\/art"[^}]*"watch_mode":"([a-z]+)"/).map { String($0.1) }
    }

    static func sha256(_ text: String) -> String {
        String(decoding: (try? TreeTruth.run("/bin/sh", ["-c", "printf %s '\(text)' | sha256sum"])) ?? [], as: UTF8.self).prefix(64).description
    }
}

import Foundation
import Glibc
import MirrorTestSupport
import Testing

/// A tree whose root is missing is watched through the nearest folder above it; where that watch
/// is refused, the tree is polled (and says so in /healthz), so the root's coming is still seen.
/// It used to stay unwatched and unpolled: the root appeared and its files never showed. The
/// binary runs in a user namespace of its own whose inotify watch limit is 0 (as in
/// ``WatchFallbackTests``), so every watch is refused (ENOSPC).
@Suite("a tree whose root is missing", .timeLimit(.minutes(1)))
struct TreeMissingRootTests {
    @Test func aRefusedWatchAboveAMissingRootFallsBackToPolling() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\nheartbeat: 0\npoll_interval: 100ms\nstreams:\n  - path: /art\n    watch: art/\n")
        let wrapper = ["/usr/bin/unshare", "--user", "--map-root-user", "--", "/bin/sh", "-c",
                       "echo 0 > /proc/sys/user/max_inotify_watches && exec \"$@\"", "sh"]
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory, unprivileged: false, wrapper: wrapper)) { server in
            let tree = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/art")
            let first = try await tree.waitFor("the empty tree") { $0.count == 1 }
            #expect(first[0].data == "{}")
            #expect(try await TreeWatchRecoveryTests.watchMode(server) == "polling", "\(server.log)")
            #expect(server.log.contains("where the missing 'art/' would appear"), "\(server.log)")

            try directory.mkdir("art")
            try directory.write("art/a.txt", "a")
            let found = try await tree.waitFor("the root and its file", timeout: .seconds(20)) { $0.last?.data.contains("a.txt") == true }
            #expect(found.count >= 2)
            await tree.close()
            #expect(await server.stop() == 0)
        }
    }
}

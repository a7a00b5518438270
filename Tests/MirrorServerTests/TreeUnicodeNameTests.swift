import Foundation
import Glibc
import MirrorCore
import Testing

/// File names are bytes: `é.txt` spelled in NFC (U+00E9) and in NFD (e + U+0301) are two files to
/// the file system, to `find` and to `sha256sum`, so they are two manifest entries, each with its
/// own hash, through the real binary. Swift's `String ==` would make them one.
@Suite("directory streams keep names as bytes", .timeLimit(.minutes(1)))
struct TreeUnicodeNameTests {
    static let composed = "\u{E9}.txt"
    static let decomposed = "e\u{301}.txt"

    @Test func twoSpellingsOfOneNameAreTwoEntries() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art")
        try directory.write("art/" + Self.composed, "composed")
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\nheartbeat: 0\nstreams:\n  - path: /art\n    watch: art/\n")
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            let tree = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/art")
            _ = try await tree.waitFor("the first manifest", timeout: .seconds(30)) { $0.count == 1 }
            // Written after the start, so that an event (not only the scan) names it.
            try directory.write("art/" + Self.decomposed, "decomposed")
            let truth = try TreeTruth.manifest(directory.url("art"))
            guard case .object(let expected) = truth else { throw TimeoutError() }
            try #require(expected.count == 2, "the file system holds two names")
            let events = try await tree.waitFor("both files", timeout: .seconds(30)) { events in
                (try? ResumeTests.follow(events)) == truth
            }
            guard case .object(let followed)? = try ResumeTests.follow(events) else { throw TimeoutError() }
            #expect(followed.keys.map { Array($0.utf8) } == expected.keys.map { Array($0.utf8) }, "keys as written, in byte order")
            // Removing one spelling leaves the other.
            try directory.unlink("art/" + Self.composed)
            let after = try TreeTruth.manifest(directory.url("art"))
            _ = try await tree.waitFor("the removal", timeout: .seconds(30)) { (try? ResumeTests.follow($0)) == after }
            await tree.close()
            #expect(await server.stop() == 0)
        }
    }
}

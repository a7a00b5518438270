import Foundation
import Glibc
import MirrorCore
import Synchronization
import Testing

/// "Serves nothing but the configured files": whoever can write in a watched folder must not be
/// able to point the watched name at another file the server can read. By default a symlink is
/// followed only when it and what it leads to have the same owner. These tests run as root, so a
/// link is given away with lchown to uid 65534 (nobody) to play the other user.
@Suite("symlink policy", .timeLimit(.minutes(1)))
struct SymlinkPolicyTests {
    static let secret = #"{"password": "hunter2"}"#
    static let nobody: uid_t = 65534

    static func giveAway(_ path: String, to owner: uid_t = nobody) throws {
        guard lchown(path, owner, gid_t(owner)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    /// The secret sits in a root-only folder next to the watched one.
    static func plantSecret(_ directory: TemporaryDirectory) throws {
        try directory.mkdir("root-only")
        try directory.write("root-only/secret.json", secret)
        chmod(directory.url("root-only"), 0o700)
    }

    func expectRefused(_ client: TestClient, link: String, linkOwner: uid_t, targetOwner: uid_t, after count: Int = 0) async throws -> [ReceivedEvent] {
        let events = try await client.waitFor("invalid") { $0.contains { $0.name == "invalid" } }
        let invalid = try #require(events.first { $0.name == "invalid" })
        #expect(invalid.data == #"{"line":null,"column":null,"message":"cannot read the file: \#(link) is owned by uid \#(linkOwner) but its target by uid \#(targetOwner); refused (symlinks: same-owner)"}"#)
        #expect(!client.text.contains("hunter2") && !client.text.contains("root-only") && !client.text.contains("secret"))
        return events
    }

    /// A link given to another user, pointing at a root-owned secret: `invalid` with the reason, and
    /// no document (`removed` before it, as for any file with no valid document at start).
    @Test func linkOfAnotherOwnerIsRefused() async throws {
        try await withServer(MirrorFixture.start { directory in
            try Self.plantSecret(directory)
            try directory.symlink("app.json", to: "root-only/secret.json")
            try Self.giveAway(directory.url("app.json"))
        }) { fixture in
            let client = try await fixture.subscribe()
            let events = try await expectRefused(client, link: "symlink 'app.json'", linkOwner: Self.nobody, targetOwner: 0)
            #expect(events.map(\.name) == ["removed", "invalid"])
            await client.close()
        }
    }

    /// The same, the other way round: a root link to a file that another user owns (and could swap).
    @Test func targetOfAnotherOwnerIsRefused() async throws {
        try await withServer(MirrorFixture.start { directory in
            try directory.write("theirs.json", #"{"a": 1}"#)
            try Self.giveAway(directory.url("theirs.json"))
            try directory.symlink("app.json", to: "theirs.json")
        }) { fixture in
            let client = try await fixture.subscribe()
            _ = try await expectRefused(client, link: "symlink 'app.json'", linkOwner: 0, targetOwner: Self.nobody)
            await client.close()
        }
    }

    /// A link further down the chain is checked too, and named without its path: the path comes from
    /// another link's text, which could tell what it points at.
    @Test func everyLinkOfTheChainIsChecked() async throws {
        try await withServer(MirrorFixture.start { directory in
            try Self.plantSecret(directory)
            try directory.mkdir("hop")
            try directory.symlink("hop/next", to: "../root-only/secret.json")
            try Self.giveAway(directory.url("hop/next"))
            try directory.symlink("app.json", to: "hop/next")
        }) { fixture in
            let client = try await fixture.subscribe()
            _ = try await expectRefused(client, link: "a symlink on the way to 'app.json'", linkOwner: Self.nobody, targetOwner: 0)
            #expect(!client.text.contains("hop"))
            await client.close()
        }
    }

    /// A published file swapped for a refused link: `invalid`, and the last good document stays.
    @Test func swappedForARefusedLinkKeepsTheLastGoodDocument() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"v": 1}"#]) { try Self.plantSecret($0) }) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the first document") { $0.count == 1 }
            try fixture.directory.symlink("app.json.tmp", to: "root-only/secret.json")
            try Self.giveAway(fixture.directory.url("app.json.tmp"))
            try fixture.directory.rename("app.json.tmp", "app.json")
            let events = try await expectRefused(client, link: "symlink 'app.json'", linkOwner: Self.nobody, targetOwner: 0)
            #expect(events.map(\.name) == ["changed", "invalid"])
            let late = try await fixture.subscribe()
            try await late.waitFor("the snapshot") { $0.count == 2 }
            #expect(late.events.first?.data == #"{"v":1}"#)
            await client.close()
            await late.close()
        }
    }

    /// Same owner: followed.
    @Test func linkOfTheSameOwnerIsFollowed() async throws {
        try await withServer(MirrorFixture.start { directory in
            try directory.mkdir("real")
            try directory.write("real/app.json", #"{"v": 1}"#)
            try directory.symlink("app.json", to: "real/app.json")
        }) { fixture in
            let client = try await fixture.subscribe()
            let events = try await client.waitFor("changed") { !$0.isEmpty }
            #expect(events.map(\.data) == [#"{"v":1}"#])
            await client.close()
        }
    }

    /// `symlinks: follow` opts out: the link of another owner is followed.
    @Test func followPolicyFollowsEveryLink() async throws {
        try await withServer(MirrorFixture.start(symlinks: .follow) { directory in
            try directory.write("theirs.json", #"{"v": 2}"#)
            try directory.symlink("app.json", to: "theirs.json")
            try Self.giveAway(directory.url("app.json"))
        }) { fixture in
            let client = try await fixture.subscribe()
            let events = try await client.waitFor("changed") { !$0.isEmpty }
            #expect(events.map(\.data) == [#"{"v":2}"#])
            await client.close()
        }
    }

    /// A symlink loop is an unreadable file, not a hang or a crash.
    @Test func symlinkLoopIsInvalid() async throws {
        try await withServer(MirrorFixture.start { directory in
            try directory.symlink("app.json", to: "loop.json")
            try directory.symlink("loop.json", to: "app.json")
        }) { fixture in
            let client = try await fixture.subscribe()
            let events = try await client.waitFor("invalid") { $0.count == 2 }
            #expect(events.map(\.name) == ["removed", "invalid"])
            #expect(events[1].data.contains("Too many levels of symbolic links"))
            await client.close()
        }
    }
}

extension SymlinkPolicyTests {
    /// The watched name is swapped again and again, by rename, between a link to a file of the
    /// link's own owner (allowed) and a link to the root-only secret (refused): whatever the timing
    /// between the check and the read, the secret is never read out.
    @Test func aLinkSwappedDuringTheReadNeverLeaksTheTarget() async throws {
        try await withServer(MirrorFixture.start { directory in
            try Self.plantSecret(directory)
            try directory.write("decoy.json", #"{"decoy": true}"#)
            try Self.giveAway(directory.url("decoy.json"))
            try directory.symlink("app.json", to: "decoy.json")
            try Self.giveAway(directory.url("app.json"))
        }) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the decoy") { $0.first?.data == #"{"decoy":true}"# }
            let directory = fixture.directory
            let done = Synchronization.Atomic<Bool>(false)
            let swapper = Thread {
                let end = ContinuousClock.now.advanced(by: .seconds(1))
                var round = 0
                while ContinuousClock.now < end {
                    let tmp = directory.url("swap-\(round).tmp")
                    Glibc.symlink(round % 2 == 0 ? "root-only/secret.json" : "decoy.json", tmp)
                    lchown(tmp, Self.nobody, gid_t(Self.nobody))
                    Glibc.rename(tmp, directory.url("app.json"))
                    round += 1
                }
                done.store(true, ordering: .releasing)
            }
            swapper.start()
            while !done.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(20)) }
            // Swaps reset the settle time, so the refusal shows only once they stop: end on the secret.
            try directory.symlink("last.tmp", to: "root-only/secret.json")
            try Self.giveAway(directory.url("last.tmp"))
            try directory.rename("last.tmp", "app.json")
            _ = try await expectRefused(client, link: "symlink 'app.json'", linkOwner: Self.nobody, targetOwner: 0)
            #expect(!client.text.contains("hunter2"))
            await client.close()
        }
    }
}

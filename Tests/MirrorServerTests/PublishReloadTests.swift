import MirrorCore
import MirrorServer
import NIOPosix
import Testing

/// `publish:` through a running instance: a reload that starts publishing posts each stream's
/// current state without restarting it, one that changes nothing posts nothing again, and one
/// that opts a stream out stops its posts.
@Suite("publish reload", .timeLimit(.minutes(1)))
struct PublishReloadTests {
    @Test func aReloadRearrangesTheSinksWithoutRestartingStreams() async throws {
        try await withServer(MirrorFixture.start(files: ["a.json": #"{"a":1}"#, "b.json": #"{"b":1}"#], streams: ["/a": "a.json", "/b": "b.json"])) { fixture in
            let fake = FakeHub()
            let channel = try await fake.bind(on: fixture.group)
            defer { channel.close(promise: nil) }
            let hubA = fixture.hub("/a")

            let publishing = ReloadTests.edited(fixture) { config in
                config.publish.global = try! PublishTarget(parsing: "http://127.0.0.1:\(channel.localAddress!.port!)/pub/{stream}")
            }
            let plan = try await fixture.instance.reload(to: publishing)
            #expect(plan.keepsEveryStream)
            #expect(fixture.hub("/a") === hubA)
            let first = try await fake.waitFor { $0.count == 2 }
            #expect(Set(first.map(\.uri)) == ["/pub/a", "/pub/b"])
            #expect(Set(first.map(\.body)) == [#"{"a":1}"#, #"{"b":1}"#])

            // The same publish: again sends nothing again; a change is posted.
            try await fixture.instance.reload(to: publishing)
            try fixture.directory.write("a.json", #"{"a":2}"#)
            let second = try await fake.waitFor { $0.count >= 3 }
            #expect(second.count == 3 && second[2].uri == "/pub/a" && second[2].body == #"{"a":2}"#)

            // /b opts out: its changes are no longer posted, /a's still are.
            let optedOut = ReloadTests.edited(fixture) { $0.publish.optedOut = ["/b"] }
            try await fixture.instance.reload(to: optedOut)
            try fixture.directory.write("b.json", #"{"b":2}"#)
            try await Task.sleep(for: .milliseconds(300))
            try fixture.directory.write("a.json", #"{"a":3}"#)
            let third = try await fake.waitFor { $0.contains { $0.body == #"{"a":3}"# } }
            #expect(!third.contains { $0.body == #"{"b":2}"# })
        }
    }
}

import MirrorCore
import MirrorServer
import Testing

/// A reload through the running instance: the serving state is swapped, unchanged streams keep
/// their hubs and clients, changed and new streams start anew, removed ones end.
@Suite("reload", .timeLimit(.minutes(1)))
struct ReloadTests {
    /// The running config with `change` applied to a copy.
    static func edited(_ fixture: MirrorFixture, _ change: (inout MirrorConfig) -> Void) -> MirrorConfig {
        var config = fixture.instance.current.now.config
        change(&config)
        return config
    }

    static func stream(_ fixture: MirrorFixture, path: String, watch: String) -> StreamConfig {
        StreamConfig(path: path, watch: watch, watchPath: fixture.directory.url(watch), format: .json)
    }

    @Test func unchangedStreamsKeepTheirClientsWhileOthersStartEndOrAppear() async throws {
        try await withServer(MirrorFixture.start(
            files: ["a.json": #"{"a":1}"#, "b.json": #"{"b":1}"#, "b2.json": #"{"b":2}"#, "c.json": #"{"c":1}"#, "gone.json": "{}"],
            streams: ["/a": "a.json", "/b": "b.json", "/gone": "gone.json"]
        )) { fixture in
            let a = try await fixture.subscribe("/a")
            let b = try await fixture.subscribe("/b")
            let gone = try await fixture.subscribe("/gone")
            for client in [a, b, gone] { try await client.waitFor("the first state") { $0.count == 1 } }
            let hubA = fixture.hub("/a")

            let config = Self.edited(fixture) { config in
                config.streams = [
                    config.streams.first { $0.path == "/a" }!,
                    Self.stream(fixture, path: "/b", watch: "b2.json"),
                    Self.stream(fixture, path: "/c", watch: "c.json"),
                ]
            }
            let plan = try await fixture.instance.reload(to: config)
            #expect(plan.kept == ["/a"] && plan.started.map(\.path) == ["/b", "/c"] && Set(plan.retired) == ["/b", "/gone"])

            // /a: the same hub, the client still there, and it follows the next change.
            #expect(fixture.hub("/a") === hubA)
            try fixture.directory.write("a.json", #"{"a":2}"#)
            let followed = try await a.waitFor("the change after the reload") { $0.count == 2 }
            #expect(followed[1].data == #"{"a":2}"#)
            #expect(!a.isClosed)
            // /b and /gone: their clients were ended cleanly, with the last chunk of the body.
            for client in [b, gone] {
                try await client.waitUntilClosed()
                #expect(client.text.hasSuffix("0\r\n\r\n"))
            }
            // The new /b serves the new file; /c is there; /gone is not.
            let newB = try await fixture.subscribe("/b")
            #expect(try await newB.waitFor("the new /b") { $0.count == 1 }[0].data == #"{"b":2}"#)
            let c = try await fixture.subscribe("/c")
            #expect(try await c.waitFor("/c") { $0.count == 1 }[0].data == #"{"c":1}"#)
            let missing = try await fixture.request("GET /gone HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await missing.waitUntilClosed()
            #expect(missing.text.hasPrefix("HTTP/1.1 404"))
        }
    }

    @Test func aReloadThatChangesNoStreamAppliesItsPoliciesAndKeepsEveryHub() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": "{}"])) { fixture in
            let hub = fixture.hub()
            let refused = try await fixture.request("GET /config HTTP/1.1\r\nHost: dash.example.com\r\n\r\n")
            try await refused.waitUntilClosed()
            #expect(refused.text.hasPrefix("HTTP/1.1 403"))

            let plan = try await fixture.instance.reload(to: Self.edited(fixture) { $0.hosts = ["dash.example.com"] })
            #expect(plan.keepsEveryStream)
            #expect(fixture.hub() === hub)
            let allowed = try await fixture.request("GET /config HTTP/1.1\r\nHost: dash.example.com\r\n\r\n")
            try await allowed.waitForText { $0.contains("\r\n\r\n") }
            #expect(allowed.head?.hasPrefix("HTTP/1.1 200") == true)
            await allowed.close()
        }
    }
}

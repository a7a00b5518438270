import MirrorCore
import MirrorServer
import Testing

/// `GET /events?stream=/a&stream=/b` through real sockets: one connection carries several
/// streams, each event named after its stream with the stream's own data, and one composite
/// `Last-Event-ID` resumes each stream from its own place.
@Suite("multiplexing", .timeLimit(.minutes(1)))
struct MultiplexTests {
    static let streams = ["/a": "a.json", "/b": "b.json"]
    static let files = ["a.json": ResumeTests.document(version: 1), "b.json": ResumeTests.document(version: 1)]
    static let both = "/events?stream=/a&stream=/b"

    /// Saves a version of a stream's file and waits until its hub has published it.
    static func save(_ fixture: MirrorFixture, _ stream: String, _ text: String, until version: UInt64) async throws {
        let name = try #require(streams[stream])
        try fixture.directory.write(name + ".tmp", text)
        try fixture.directory.rename(name + ".tmp", name)
        try await eventually { fixture.hub(stream).current().state?.id?.version == version }
    }

    /// The events of one stream, named as a single-stream client gets them.
    static func of(_ stream: String, _ events: [ReceivedEvent]) -> [ReceivedEvent] {
        events.compactMap { event in
            guard event.name.hasPrefix(stream + " ") else { return nil }
            return ReceivedEvent(name: String(event.name.dropFirst(stream.count + 1)), id: event.id, data: event.data)
        }
    }

    /// Runs `body` with a patch server and the events of a first multiplexed connection to it,
    /// which is closed; the server is stopped when `body` is done.
    static func withFirstConnection<T>(_ body: (MirrorFixture, [ReceivedEvent]) async throws -> T) async throws -> T {
        try await withServer(MirrorFixture.start(files: files, streams: streams, emit: .patch)) { fixture in
            let first = try await fixture.subscribe(both)
            let start = try await first.waitFor("both documents") { $0.count == 2 }
            await first.close()
            return try await body(fixture, start)
        }
    }

    static func composite(_ id: String?) throws -> CompositeEventID {
        let text = try #require(id)
        return try #require(CompositeEventID(parsing: text, paths: ["/a", "/b"]))
    }

    @Test func oneConnectionCarriesEachStreamsEventsByteForByte() async throws {
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams, emit: .patch)) { fixture in
            let mux = try await fixture.subscribe(Self.both)
            let a = try await fixture.subscribe("/a")
            let b = try await fixture.subscribe("/b")
            try await mux.waitFor("both documents") { $0.count == 2 }
            for client in [a, b] { try await client.waitFor("the document") { $0.count == 1 } }
            try await Self.save(fixture, "/b", ResumeTests.document(version: 2, edited: [3]), until: 2)
            try await Self.save(fixture, "/a", ResumeTests.document(version: 2, edited: [4]), until: 2)
            let events = try await mux.waitFor("both patches") { $0.count == 4 }
            #expect(events.map(\.name) == ["/a changed", "/b changed", "/b patch", "/a patch"])
            let single = (a: try await a.waitFor("two") { $0.count == 2 }, b: try await b.waitFor("two") { $0.count == 2 })
            // The same data and names as each stream's own clients get; the id is the connection's.
            #expect(Self.of("/a", events).map(\.data) == single.a.map(\.data))
            #expect(Self.of("/b", events).map(\.data) == single.b.map(\.data))
            #expect(Self.of("/a", events).map(\.name) == single.a.map(\.name))
            // Every id names where the connection is in both streams.
            #expect(try Self.composite(events[0].id).positions == [EventID(parsing: single.a[0].id!), nil])
            #expect(try Self.composite(events[1].id).positions == [single.a[0].id, single.b[0].id].map { EventID(parsing: $0!) })
            #expect(try Self.composite(events[3].id).positions == [single.a[1].id, single.b[1].id].map { EventID(parsing: $0!) })
            // One place on each stream while open, given back when it closes.
            #expect(fixture.hub("/a").clients.count == 2 && fixture.hub("/b").clients.count == 2)
            await mux.close()
            try await eventually { fixture.hub("/a").clients.count == 1 && fixture.hub("/b").clients.count == 1 }
        }
    }

    @Test func aResumeGetsExactlyEachStreamsMissedEvents() async throws {
        try await Self.withFirstConnection { fixture, start in
            var final = (a: "", b: "")
            for version in 2...4 {
                final.a = ResumeTests.document(version: version, edited: [version])
                try await Self.save(fixture, "/a", final.a, until: UInt64(version))
            }
            final.b = ResumeTests.document(version: 2, edited: [9])
            try await Self.save(fixture, "/b", final.b, until: 2)
            let again = try await fixture.subscribe(Self.both, lastEventID: start[1].id)
            let events = try await again.waitFor("the missed changes") { $0.count == 4 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(again.events.map(\.name) == ["/a patch", "/a patch", "/a patch", "/b patch"])
            let a = try ResumeTests.follow(Self.of("/a", events), from: ResumeTests.parse(Self.of("/a", start)[0].data))
            let b = try ResumeTests.follow(Self.of("/b", events), from: ResumeTests.parse(Self.of("/b", start)[0].data))
            #expect(try a == ResumeTests.parse(final.a) && b == ResumeTests.parse(final.b))
            #expect(try Self.composite(events.last?.id).positions.map { $0?.version } == [4, 2])
            // The query form, for clients that cannot set headers, resumes the same way.
            let query = try await fixture.subscribe(Self.both + "&lastEventId=\(start[1].id!)")
            _ = try await query.waitFor("the missed changes") { $0.count == 4 }
            #expect(query.events.map(\.name) == events.map(\.name))
        }
    }

    @Test func aPartOfAnotherRunGetsThatStreamOneSnapshot() async throws {
        try await Self.withFirstConnection { fixture, start in
            try await Self.save(fixture, "/a", ResumeTests.document(version: 2, edited: [2]), until: 2)
            var id = try Self.composite(start[1].id)
            id.positions[1] = EventID(run: "0abc", version: 1)
            let client = try await fixture.subscribe(Self.both, lastEventID: id.description)
            _ = try await client.waitFor("a's patch and b's snapshot") { $0.count == 2 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(client.events.map(\.name) == ["/a patch", "/b changed"])
            #expect(try ResumeTests.parse(Self.of("/b", client.events)[0].data) == ResumeTests.parse(ResumeTests.document(version: 1)))
            // An id of another list of streams resumes none of them: one snapshot each.
            let swapped = try await fixture.subscribe("/events?stream=/b&stream=/a", lastEventID: start[1].id)
            _ = try await swapped.waitFor("two snapshots") { $0.count == 2 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(swapped.events.map(\.name) == ["/b changed", "/a changed"])
        }
    }

    @Test func theIdStaysShortForEightStreams() async throws {
        let paths = (1...8).map { "/stream-\($0)" }
        try await withServer(MirrorFixture.start(
            files: Dictionary(uniqueKeysWithValues: (1...8).map { ("s\($0).json", #"{"n":0}"#) }),
            streams: Dictionary(uniqueKeysWithValues: (1...8).map { ("/stream-\($0)", "s\($0).json") })
        )) { fixture in
            let client = try await fixture.subscribe("/events?" + paths.map { "stream=\($0)" }.joined(separator: "&"))
            try await client.waitFor("eight documents") { $0.count == 8 }
            for round in 1...3 {
                for n in 1...8 {
                    try fixture.directory.write("s\(n).tmp", #"{"n":\#(round)}"#)
                    try fixture.directory.rename("s\(n).tmp", "s\(n).json")
                }
                try await client.waitFor("round \(round)") { $0.count == 8 * (round + 1) }
            }
            let ids = client.events.compactMap(\.id)
            #expect(ids.count == 32)
            #expect(ids.allSatisfy { $0.utf8.count <= 128 && $0.utf8.allSatisfy { Set("0123456789abcdefghijklmnopqrstuvwxyz.-".utf8).contains($0) } })
            let last = try #require(CompositeEventID(parsing: ids.last!, paths: paths))
            #expect(last.positions.allSatisfy { $0?.version == 4 })
            #expect(ids.last!.utf8.count <= 48, "\(ids.last!)")
        }
    }

    @Test func everyStreamChecksTheTokenItself() async throws {
        var access = AccessConfig()
        access.streamTokens["/b"] = AccessTokens(["b-token"])
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams, access: access)) { fixture in
            #expect(try await AccessTests.head(fixture, Self.both).hasPrefix("HTTP/1.1 401 Unauthorized"))
            #expect(try await AccessTests.head(fixture, "/events?stream=/a").hasPrefix("HTTP/1.1 200 OK"))
            let client = try await fixture.subscribe(Self.both + "&access_token=b-token")
            let events = try await client.waitFor("both documents") { $0.count == 2 }
            #expect(events.map(\.name) == ["/a changed", "/b changed"])
            #expect(fixture.hub("/b").clients.count == 1)
        }
    }

    @Test func aReloadEndsTheConnectionOnlyWhenATokenItUsedGoes() async throws {
        var access = AccessConfig()
        access.streamTokens["/b"] = AccessTokens(["b-1", "b-2"])
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams, access: access)) { fixture in
            let client = try await fixture.subscribe(Self.both + "&access_token=b-1")
            try await client.waitFor("both documents") { $0.count == 2 }
            var config = fixture.instance.current.now.config
            config.access.streamTokens["/b"] = AccessTokens(["b-1", "b-3"])
            try await fixture.instance.reload(to: config)
            try await Self.save(fixture, "/a", #"{"a":2}"#, until: 2)
            try await client.waitFor("the change") { $0.count == 3 }
            #expect(!client.isClosed)
            config.access.streamTokens["/b"] = AccessTokens(["b-3"])
            try await fixture.instance.reload(to: config)
            try await client.waitUntilClosed()
            try await eventually { fixture.hub("/a").clients.count == 0 && fixture.hub("/b").clients.count == 0 }
        }
    }

    /// What a connection gets as it joins (each stream's state) is written in one turn of its loop,
    /// before the channel can report itself unwritable, so the slow-client bound never closes it for
    /// that: two documents that together pass the bound both reach a client that reads slowly.
    @Test func joiningStatesLargerThanTheBoundTogetherAllArrive() async throws {
        let big = { (name: String) in #"{"\#(name)":""# + String(repeating: "x", count: 256 * 1024) + #""}"# }
        try await withServer(MirrorFixture.start(
            files: ["a.json": big("a"), "b.json": big("b")], streams: Self.streams, limits: ServerLimits(maximumQueuedBytes: 64 * 1024)
        )) { fixture in
            let slow = try await RawSocket.connect(port: fixture.port, request: "GET \(Self.both) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", receiveBuffer: 4096)
            defer { slow.close() }
            try await Task.sleep(for: .milliseconds(300))
            let bytes = await slow.receive(seconds: 30) { String(decoding: $0, as: UTF8.self).contains("event: /b changed") }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("event: /a changed") && text.contains("event: /b changed"), "\(bytes.count) bytes")
        }
    }

    @Test func unknownRepeatedOrMissingStreamsAreRefused() async throws {
        try await withServer(MirrorFixture.start(files: Self.files, streams: Self.streams)) { fixture in
            let unknown = try await fixture.request("GET /events?stream=/a&stream=/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await unknown.waitUntilClosed()
            #expect(unknown.text.hasPrefix("HTTP/1.1 404 Not Found"))
            #expect(unknown.body == "Not Found: no stream '/nope'\n")
            for target in ["/events?stream=/a&stream=/a", "/events", "/events?stream=%zz"] {
                #expect(try await AccessTests.head(fixture, target).hasPrefix("HTTP/1.1 400 Bad Request"), "\(target)")
            }
            #expect(fixture.hub("/a").clients.count == 0)
        }
    }
}

import Foundation
import Logging
import MirrorCore
@testable import MirrorServer
import NIOPosix
import Testing

/// The second transport, through the same pump: `publish: {webhook: URL}` against a tiny HTTP
/// server on a real socket (``FakeHub``, NIO's server codec), which records each POST. Each whole
/// state arrives as one JSON object naming its stream, event and id, over one keep-alive
/// connection; a delta is not posted, the whole state settled after it is.
@Suite("publish webhook", .timeLimit(.minutes(1)))
struct WebhookTransportTests {
    let encoder = SSEEncoder()
    /// `{"seq": version}` as a `changed`, as the nchan tests publish it.
    let changed = NchanSinkTests().changed

    @Test func postsEachWholeStateAsOneJSONObject() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = FakeHub()
        let channel = try await server.bind(on: group)
        var config = PublishConfig()
        config.global = try PublishTarget(parsing: "http://user:pw@127.0.0.1:\(channel.localAddress!.port!)/hook", kind: .webhook)
        let sinks = PublishSinks(group: group, factory: MirrorMetrics().factory, logger: Logger(label: "test"))
        let streams = [StreamHub(path: "/a"), StreamHub(path: "/b/c")]
        for stream in streams { stream.publish([.version(changed(stream, 1), state: changed(stream, 1))]) }
        sinks.apply(config, hubs: streams)
        try await server.waitFor { $0.count == 2 }
        let patch = encoder.encode(.patch(id: EventID(run: "r", version: 2), operations: Array("[]".utf8)), sequence: streams[0].nextSequence())
        streams[0].publish([.version(patch, state: nil)])
        streams[0].settle(changed(streams[0], 2))
        try await server.waitFor { $0.count == 3 }
        let removed = encoder.encode(.removed(id: EventID(run: "r", version: 3), watch: "a.json"), sequence: streams[0].nextSequence())
        streams[0].publish([.version(removed, state: removed)])
        let posts = try await server.waitFor { $0.count == 4 }

        #expect(posts.allSatisfy { $0.uri == "/hook" && $0.contentType == "application/json" && $0.authorization == "Basic dXNlcjpwdw==" })
        #expect(posts.allSatisfy { $0.event == nil }, "no nchan header: the body says it all")
        let bodies = posts.map(\.body)
        #expect(Set(bodies.prefix(2)) == [#"{"stream":"/a","event":"changed","id":"r-1","data":{"seq":1}}"#, #"{"stream":"/b/c","event":"changed","id":"r-1","data":{"seq":1}}"#])
        #expect(bodies[2] == #"{"stream":"/a","event":"changed","id":"r-2","data":{"seq":2}}"#)
        #expect(bodies[3] == #"{"stream":"/a","event":"removed","id":"r-3","data":{"path":"a.json"}}"#)
        for body in bodies { #expect((try? JSONSerialization.jsonObject(with: Data(body.utf8))) != nil, "valid JSON: \(body)") }
        #expect(server.connections.load(ordering: .relaxed) == 1, "one keep-alive connection")
        await sinks.stop()
        try await channel.close()
        try await group.shutdownGracefully()
    }

    /// The wiring, through the real binary: `publish: {webhook: URL}` in mirror.yaml reaches the
    /// webhook transport, a change is posted, and `/healthz` shows the target.
    @Test func theBinaryPostsToAConfiguredWebhook() async throws {
        let server = FakeHub()
        let channel = try await server.bind(on: MultiThreadedEventLoopGroupHolder.shared)
        let port = try #require(channel.localAddress?.port)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", #"{"a": 1}"#)
        try directory.write("mirror.yaml", "listen: 127.0.0.1:0\npublish:\n  webhook: \"http://127.0.0.1:\(port)/hook\"\nstreams:\n  - path: /config\n    watch: app.json\n")
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { mirror in
            try await server.waitFor { $0.contains { $0.body.hasSuffix(#""data":{"a":1}}"#) } }
            try directory.write("app.json", #"{"a": 2}"#)
            let posts = try await server.waitFor { $0.contains { $0.body.hasSuffix(#""data":{"a":2}}"#) } }
            #expect(posts.allSatisfy { $0.uri == "/hook" && $0.body.hasPrefix(#"{"stream":"/config","event":"changed","id":""#) })
            let (text, streams) = try await PublishHealthTests.streams(port: mirror.port)
            let publish = try #require(streams["/config"]?["publish"] as? [String: Any], "\(text)")
            #expect(publish["target"] as? String == "http://127.0.0.1:\(port)/hook")
            #expect(mirror.log.contains("publishing to webhook"), "\(mirror.log)")
            #expect(await mirror.stop() == 0)
            try await channel.close()
        }
    }
}

import NIOPosix
import Testing

/// Every metric family `/metrics` shows has a `# HELP` line (the Prometheus text format), so a
/// reader of a scrape need not guess what a series counts: the real binary with a file, a line, a
/// tree and a publishing stream, whose families are all made by then.
@Suite("metrics help", .timeLimit(.minutes(1)))
struct MetricsHelpTests {
    @Test func everyTypeHasItsHelp() async throws {
        let fake = FakeHub()
        let hubChannel = try await fake.bind(on: MultiThreadedEventLoopGroupHolder.shared)
        let up = try #require(hubChannel.localAddress?.port)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(PublishHealthTests.start(up: up, down: try await PublishHealthTests.closedPort(), in: directory)) { server in
            try await fake.waitFor { !$0.isEmpty }
            // A client, so the delivery and disconnect families have series too.
            let client = try await TestClient.subscribe(port: server.port, group: MultiThreadedEventLoopGroupHolder.shared, path: "/config")
            try await client.waitFor("the document") { $0.count == 1 }
            await client.close()
            let metrics = try await PublishHealthTests.fetch("/metrics", port: server.port).body
            let lines = metrics.split(separator: "\n")
            let typed = lines.compactMap { $0.firstMatch(of: #/^\# TYPE (\S+) /#).map { String($0.1) } }
            let helped = Set(lines.compactMap { $0.firstMatch(of: #/^\# HELP (\S+) \S/#).map { String($0.1) } })
            #expect(typed.count >= 9, "\(metrics)")
            #expect(typed.filter { !helped.contains($0) } == [], "families without # HELP")
            for family in ["sse_mirror_clients", "sse_mirror_change_to_event_seconds", "sse_mirror_publish_sent_total", "sse_mirror_publish_failures_total"] {
                #expect(typed.contains(family), "\(family) is not in the scrape")
            }
            #expect(await server.stop() == 0)
            try await hubChannel.close()
        }
    }
}

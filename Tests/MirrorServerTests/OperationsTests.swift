import Foundation
import MirrorCore
import MirrorServer
import Testing

/// `/healthz` and `/metrics` through real sockets (PROTOCOL.md, "Routes"; README.md, "Operations").
@Suite("operations: health and metrics", .timeLimit(.minutes(1)))
struct OperationsTests {
    static let document = #"{"a": 1}"#

    /// One plain request; the answer once the server has closed the connection.
    func fetch(_ fixture: MirrorFixture, _ path: String, method: String = "GET") async throws -> TestClient {
        let client = try await fixture.request("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try await client.waitUntilClosed()
        return client
    }

    func health(_ fixture: MirrorFixture) async throws -> (report: [String: Any], stream: [String: Any]) {
        let client = try await fetch(fixture, "/healthz")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(client.body.utf8)) as? [String: Any], "\(client.text)")
        let streams = try #require(report["streams"] as? [[String: Any]])
        return (report, try #require(streams.first))
    }

    func metrics(_ fixture: MirrorFixture) async throws -> String {
        try await fetch(fixture, "/metrics").body
    }

    /// The value of one series (`name{labels}`) in a text exposition, if it is there.
    func value(_ series: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test func healthzReportsEachStreamsStateAndClients() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let answer = try await fetch(fixture, "/healthz")
            #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.head?.contains("Content-Type: application/json") == true)
            #expect(answer.head?.contains("Cache-Control: no-cache") == true)
            #expect(answer.body == #"{"status":"ok","streams":[{"path":"/config","watch":"app.json","kind":"file","state":"ok","clients":0,"watch_mode":"inotify"}],"clients":0}"# + "\n")

            var clients: [TestClient] = []
            for _ in 0..<3 {
                let client = try await fixture.subscribe()
                try await client.waitFor("the document") { $0.count == 1 }
                clients.append(client)
            }
            var (report, stream) = try await health(fixture)
            #expect(report["clients"] as? Int == 3)
            #expect(stream["clients"] as? Int == 3)
            await clients[0].close()
            try await eventually { (try? await health(fixture).report["clients"] as? Int) == 2 }

            try fixture.directory.write("app.json", "{ not json")
            try await clients[1].waitFor("the invalid event") { $0.last?.name == "invalid" }
            (report, stream) = try await health(fixture)
            #expect(stream["state"] as? String == "invalid")
            #expect(report["status"] as? String == "ok")
            try fixture.directory.unlink("app.json")
            try await clients[1].waitFor("the removed event") { $0.last?.name == "removed" }
            #expect(try await health(fixture).stream["state"] as? String == "removed")
            for client in clients { await client.close() }
            try await eventually { (try? await health(fixture).report["clients"] as? Int) == 0 }
        }
    }

    @Test(arguments: [("/healthz", "application/json"), ("/metrics", "text/plain; version=0.0.4; charset=utf-8")])
    func headAnswersTheFieldsWithoutABody(path: String, contentType: String) async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let get = try await fetch(fixture, path)
            let head = try await fetch(fixture, path, method: "HEAD")
            #expect(head.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(head.text.hasSuffix("\r\n\r\n"))
            let fields = head.head?.components(separatedBy: "\r\n") ?? []
            #expect(fields.contains("Content-Type: \(contentType)"))
            #expect(fields.contains("Cache-Control: no-cache"))
            // The length GET's body has (RFC 9110 §9.3.2), though none is sent.
            #expect(fields.contains("Content-Length: \(get.body.utf8.count)"))
        }
    }

    @Test func metricsCountEventsClientsErrorsAndDisconnects() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document])) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the document") { $0.count == 1 }
            let answer = try await fetch(fixture, "/metrics")
            #expect(answer.head?.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8") == true)
            var text = answer.body
            #expect(text.contains("# TYPE sse_mirror_events_sent_total counter"))
            #expect(value(#"sse_mirror_clients{stream="/config"}"#, in: text) == 1)
            #expect(value(#"sse_mirror_events_sent_total{stream="/config"}"#, in: text) == 1)
            let bytes = try #require(value(#"sse_mirror_sent_bytes_total{stream="/config"}"#, in: text))

            try fixture.directory.write("app.json", #"{"a": 2}"#)
            try await client.waitFor("the change") { $0.count == 2 }
            try await eventually { (try? await value(#"sse_mirror_events_sent_total{stream="/config"}"#, in: metrics(fixture))) == 2 }
            text = try await metrics(fixture)
            #expect(value(#"sse_mirror_sent_bytes_total{stream="/config"}"#, in: text).map { $0 > bytes } == true)
            #expect(value(#"sse_mirror_change_to_event_seconds_count{stream="/config"}"#, in: text) == 1)
            #expect(value(#"sse_mirror_change_to_event_seconds_bucket{stream="/config",le="+Inf"}"#, in: text) == 1)

            try fixture.directory.write("app.json", "{ not json")
            try await client.waitFor("the invalid event") { $0.last?.name == "invalid" }
            #expect(value(#"sse_mirror_watch_errors_total{stream="/config"}"#, in: try await metrics(fixture)) == 1)

            await client.close()
            try await eventually { (try? await value(#"sse_mirror_clients{stream="/config"}"#, in: metrics(fixture))) == 0 }
            text = try await metrics(fixture)
            #expect(value(#"sse_mirror_disconnects_total{stream="/config",reason="client_closed"}"#, in: text) == 1)
            #expect(value(#"sse_mirror_disconnects_total{stream="/config",reason="shutdown"}"#, in: text) == 0)
        }
    }

    /// Shutdown and a reload that retires a stream are told apart from clients that leave.
    @Test func disconnectsByTheServerCountTheirReason() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.document, "b.json": "{}"], streams: ["/config": "app.json", "/b": "b.json"])) { fixture in
            let retired = try await fixture.subscribe("/b")
            try await retired.waitFor("the document") { $0.count == 1 }
            var config = fixture.instance.current.now.config
            config.streams.removeAll { $0.path == "/b" }
            try await fixture.instance.reload(to: config)
            try await retired.waitUntilClosed()
            let stays = try await fixture.subscribe()
            try await stays.waitFor("the document") { $0.count == 1 }
            let text = try await metrics(fixture)
            #expect(value(#"sse_mirror_disconnects_total{stream="/b",reason="stream_retired"}"#, in: text) == 1)
            #expect(value(#"sse_mirror_disconnects_total{stream="/b",reason="client_closed"}"#, in: text) == 0)
            let hub = fixture.hub()
            await fixture.instance.stop()
            #expect(hub.clientCount == 0)
            #expect(value(#"sse_mirror_disconnects_total{stream="/config",reason="shutdown"}"#, in: String(decoding: fixture.instance.metrics.registry.emitToBuffer(), as: UTF8.self)) == 1)
            await stays.close()
        }
    }
}

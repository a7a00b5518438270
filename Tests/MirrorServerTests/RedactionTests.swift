import MirrorCore
import Testing
import MirrorDocument

/// "Redaction happens before anything leaves the process": the real binary, at trace level, with
/// a redacting patch stream whose file goes through versions in which the secrets change. Every
/// byte a follower, a resuming client, a late subscriber and a JSON GET receive, and every byte
/// the process writes to its standard error and output, is searched for the secrets.
@Suite("redaction end to end", .timeLimit(.minutes(1)))
struct RedactionTests {
    /// Every secret in the file starts with this, so one search finds any of them, whole or cut.
    static let marker = "S3CRET"

    static let config = """
        listen: 127.0.0.1:0
        heartbeat: 0
        streams:
          - path: /config
            watch: app.json
            emit: patch
            transform:
              - omit: [/seq]
              - redact: [/db/password, "**.token"]
          - path: /probe
            watch: app.json
            transform:
              - select: /seq
        """

    /// Version `seq` of the file: the secrets are new in every version.
    static func document(_ seq: Int, replicas: Int, host: String = "db1", clients: Int = 1) -> String {
        let list = (0..<clients).map { #"{"name":"client\#($0)","token":"\#(marker)-nested-\#(seq)-\#($0)-a8f3"}"# }
        return #"""
            {"seq":\#(seq),"service":"checkout","replicas":\#(replicas),
             "db":{"host":"\#(host)","password":"\#(marker)-pw-\#(seq)-71c2"},
             "token":"\#(marker)-top-\#(seq)-e09d","clients":[\#(list.joined(separator: ","))]}
            """#
    }

    static func secrets(upTo seq: Int) -> [String] {
        (1...seq).flatMap { n in
            ["\(marker)-pw-\(n)-71c2", "\(marker)-top-\(n)-e09d", "\(marker)-nested-\(n)-0-a8f3", "\(marker)-nested-\(n)-1-a8f3"]
        }
    }

    @Test func noSecretLeavesTheProcess() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("app.json", Self.document(1, replicas: 1))
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory, arguments: ["--log-level", "trace"])) { server in
            let group = MultiThreadedEventLoopGroupHolder.shared
            let follower = try await TestClient.subscribe(port: server.port, group: group, path: "/config")
            let probe = try await TestClient.subscribe(port: server.port, group: group, path: "/probe")
            try await follower.waitFor("the first document") { $0.count == 1 }

            // A change beside the secrets: a patch.
            try directory.write("app.json", Self.document(2, replicas: 2))
            try await follower.waitFor("the replicas patch") { $0.count == 2 }
            // Only the secrets (and the omitted seq) change: the probe sees the file was read, the
            // follower gets nothing.
            try directory.write("app.json", Self.document(3, replicas: 2))
            try await probe.waitFor("seq 3") { $0.last?.data == "3" }
            try await Task.sleep(for: .milliseconds(300))
            #expect(follower.events.count == 2)
            // A new element with a token of its own, and a changed host.
            try directory.write("app.json", Self.document(4, replicas: 2, host: "db2", clients: 2))
            try await follower.waitFor("the host and client patch") { $0.count == 3 }
            // Not JSON, with the secret where the parser stops: the `invalid` event and the log line
            // describe the character by its class only.
            try directory.write("app.json", #"{"seq": 5, "token": \#(Self.marker)-bare-5}"#)
            try await follower.waitFor("invalid") { $0.last?.name == "invalid" }
            try directory.write("app.json", Self.document(6, replicas: 3, host: "db2", clients: 2))
            try await follower.waitFor("the document after invalid") { $0.count == 5 }
            try directory.write("app.json", Self.document(7, replicas: 4, host: "db2", clients: 2))
            let events = try await follower.waitFor("the last patch") { $0.count == 6 }

            // From the history, from the current state, and as a JSON GET.
            let resumer = try await TestClient.subscribe(port: server.port, group: group, path: "/config", lastEventID: events[0].id)
            let late = try await TestClient.subscribe(port: server.port, group: group, path: "/config")
            let get = try await TestClient.connect(
                port: server.port,
                group: group,
                request: "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"
            )
            try await resumer.waitFor("the missed events") { $0.last?.id == events[5].id }
            try await late.waitFor("the current document") { $0.count == 1 }
            try await get.waitUntilClosed()
            #expect(await server.stop() == 0)

            #expect(events.map(\.name) == ["changed", "patch", "patch", "invalid", "changed", "patch"])
            #expect(events.map { $0.id?.split(separator: "-").last } == ["1", "2", "3", nil, "4", "5"])
            #expect(events[1].data == #"[{"op":"replace","path":"/replicas","value":2}]"#)
            #expect(events[2].data == #"[{"op":"replace","path":"/db/host","value":"db2"},{"op":"add","path":"/clients/1","value":{"name":"client1","token":"[redacted]"}}]"#)
            #expect(events[3].data == #"{"line":1,"column":21,"message":"unexpected letter; a value was expected"}"#)
            #expect(events[5].data == #"[{"op":"replace","path":"/replicas","value":4}]"#)
            let published = #"{"service":"checkout","replicas":4,"db":{"host":"db2","password":"[redacted]"},"token":"[redacted]","clients":[{"name":"client0","token":"[redacted]"},{"name":"client1","token":"[redacted]"}]}"#
            let followed = try #require(try ResumeTests.follow(events))
            #expect(String(decoding: JSONSerializer.serialize(followed), as: UTF8.self) == published)
            #expect(late.events.first?.data == published)
            #expect(get.body == published)

            let received = [("follower", follower), ("probe", probe), ("resumer", resumer), ("late", late), ("get", get)]
            for (name, client) in received {
                #expect(!client.text.isEmpty, "\(name)")
                #expect(!client.text.contains(Self.marker), "\(name): \(client.text)")
                #expect(!client.body.contains(Self.marker), "\(name): \(client.body)")
                for secret in Self.secrets(upTo: 7) { #expect(!client.text.contains(secret), "\(name)") }
            }
            #expect(follower.text.contains("[redacted]") && resumer.text.contains("[redacted]") && get.text.contains("[redacted]"))
            // The log is worth searching: it has the trace and debug lines and the `invalid` warning.
            let log = server.log
            #expect(log.contains("publishing") && log.contains("document is invalid"), "\(log)")
            #expect(!log.contains(Self.marker), "\(log)")
        }
    }
}

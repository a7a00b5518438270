import MirrorCore
import Testing
import MirrorDocument

/// `publish:` (README.md, "Scaling out"): the URL rules, the global target and a stream's own.
@Suite("mirror.yaml publish")
struct PublishConfigTests {
    @Test func globalTargetPerStreamOverrideAndOptOut() throws {
        let config = try load(
            """
            publish:
              nchan: "http://127.0.0.1:8081/pub/{stream}"
            streams:
              - path: /a
                watch: a.json
              - path: /nested/b
                watch: b.json
              - path: /c
                watch: c.json
                publish: {nchan: "http://hub.internal/c-channel"}
              - path: /d
                watch: d.json
                publish: null
              - path: /e
                watch: e.json
                publish: {}
            """
        )
        let a = try #require(config.publish.target(forStream: "/a"))
        #expect(a.host == "127.0.0.1" && a.port == 8081)
        #expect(a.target(forStream: "/a") == "/pub/a")
        #expect(a.target(forStream: "/nested/b") == "/pub/nested/b")
        let c = try #require(config.publish.target(forStream: "/c"))
        #expect(c.port == 80 && c.hostField == "hub.internal" && c.target(forStream: "/c") == "/c-channel")
        #expect(config.publish.target(forStream: "/d") == nil)
        #expect(config.publish.target(forStream: "/e") == nil)
    }

    @Test func noPublishByDefault() throws {
        let config = try load("streams:\n  - path: /a\n    watch: a.json\n")
        #expect(config.publish == PublishConfig())
        #expect(config.publish.target(forStream: "/a") == nil)
    }

    @Test func credentialsBecomeBasicAndAreNeverShown() throws {
        let target = try PublishTarget(parsing: "http://mirror:s%3Acret@10.0.0.5:9000/pub/{stream}?x=1")
        #expect(target.authorization == "Basic bWlycm9yOnM6Y3JldA==")
        #expect(target.description == "http://***@10.0.0.5:9000/pub/{stream}?x=1")
        #expect(target.target(forStream: "/cfg") == "/pub/cfg?x=1")
        let v6 = try PublishTarget(parsing: "http://[::1]:8081/p/{stream}")
        #expect(v6.host == "::1" && v6.hostField == "[::1]:8081")
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var url: String
        var message: String
        var testDescription: String { url }
    }

    @Test(arguments: [
        Bad(url: "https://127.0.0.1/pub/{stream}", message: "https is not supported"),
        Bad(url: "ftp://127.0.0.1/pub/{stream}", message: "expected an http:// URL"),
        Bad(url: "http://127.0.0.1:8081", message: "needs a path"),
        Bad(url: "http://127.0.0.1:0/pub/{stream}", message: "port must be a number"),
        Bad(url: "http://127.0.0.1:99999/pub/{stream}", message: "port must be a number"),
        Bad(url: "http://bad_host/pub/{stream}", message: "not a host name"),
        Bad(url: "http://[::1/pub/{stream}", message: "no closing ']'"),
        Bad(url: "http://[::1]x/pub/{stream}", message: "is not a port"),
        Bad(url: "http://:8081/pub/{stream}", message: "has no host"),
        Bad(url: "http://127.0.0.1/pub/{stream}#x", message: "fragment"),
        Bad(url: "http://127.0.0.1/pub/fixed", message: "needs '{stream}'"),
    ])
    func rejectsWithLineAndColumn(_ bad: Bad) {
        do {
            _ = try load("publish:\n  nchan: \"\(bad.url)\"\nstreams:\n  - path: /a\n    watch: a.json\n")
            Issue.record("accepted \(bad.url)")
        } catch {
            #expect(error.mark == SourceMark(line: 2, column: 10), "\(error)")
            #expect(error.message.contains(bad.message), "\(error)")
        }
    }

    @Test func errorsNeverQuoteCredentials() {
        do {
            _ = try load("publish:\n  nchan: \"http://user:hunter2@127.0.0.1:0/pub/{stream}\"\nstreams:\n  - path: /a\n    watch: a.json\n")
            Issue.record("accepted")
        } catch {
            #expect(!error.message.contains("hunter2"), "\(error)")
        }
    }

    @Test func unknownKeyAndWrongShape() {
        for (text, message) in [
            ("publish: {redis: x}\nstreams: []\n", "unknown key 'redis' in publish"),
            ("publish: http://x/{stream}\nstreams: []\n", "publish must be a mapping"),
            ("streams:\n  - path: /a\n    watch: a.json\n    publish: [x]\n", "publish must be a mapping"),
        ] {
            #expect(throws: ConfigError.self) { try load(text) }
            do { _ = try load(text) } catch { #expect(error.message.contains(message), "\(error)") }
        }
    }
}

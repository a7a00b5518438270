import MirrorCore
import MirrorDocument
import Testing

/// `publish: {webhook: URL}` (README.md, "Scaling out"): a second kind of target beside nchan,
/// named by its key; a global webhook needs no `{stream}` (its body names the stream), and a
/// `publish:` names one target.
@Suite("mirror.yaml publish webhook")
struct WebhookPublishConfigTests {
    @Test func aWebhookIsATargetOfItsOwnKind() throws {
        let config = try load(
            """
            publish:
              webhook: "http://hooks.internal:9000/mirror"
            streams:
              - path: /a
                watch: a.json
              - path: /b
                watch: b.json
                publish: {nchan: "http://127.0.0.1:8081/pub/{stream}"}
              - path: /c
                watch: c.json
                publish: {webhook: "http://u:p@127.0.0.1:9001/c/{stream}"}
            """
        )
        let a = try #require(config.publish.target(forStream: "/a"))
        #expect(a.kind == .webhook && a.hostField == "hooks.internal:9000" && a.target(forStream: "/a") == "/mirror")
        #expect(config.publish.target(forStream: "/b")?.kind == .nchan)
        let c = try #require(config.publish.target(forStream: "/c"))
        #expect(c.kind == .webhook && c.target(forStream: "/c") == "/c/c" && c.description == "http://***@127.0.0.1:9001/c/{stream}")
        #expect(a != (try PublishTarget(parsing: "http://hooks.internal:9000/mirror")), "the same URL for nchan is another target")
    }

    @Test func onePublishNamesOneTarget() {
        let text = "publish:\n  nchan: \"http://127.0.0.1/pub/{stream}\"\n  webhook: \"http://127.0.0.1/hook\"\nstreams: []\n"
        do {
            _ = try load(text)
            Issue.record("accepted two targets")
        } catch {
            #expect(error.mark == SourceMark(line: 3, column: 3), "\(error)")
            #expect(error.message.contains("publish: name one target (nchan or webhook)"), "\(error)")
        }
    }

    @Test func aWebhookURLFollowsTheSameRules() {
        do {
            _ = try load("streams:\n  - path: /a\n    watch: a.json\n    publish: {webhook: \"https://127.0.0.1/hook\"}\n")
            Issue.record("accepted https")
        } catch {
            #expect(error.message.contains("publish.webhook: https is not supported"), "\(error)")
        }
    }
}

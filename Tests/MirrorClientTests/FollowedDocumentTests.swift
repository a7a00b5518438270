import MirrorClient
import Testing
import MirrorDocument

/// A follower's document, moved on by events as PROTOCOL.md says a client applies them.
@Suite("followed document")
struct FollowedDocumentTests {
    static func event(_ name: String, _ data: String, id: String? = nil) -> IncomingEvent {
        IncomingEvent(name: name, data: Array(data.utf8), id: id, lastEventID: id ?? "")
    }

    static func json(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func changedPatchAndMergePatch() throws {
        var followed = FollowedDocument()
        #expect(followed.apply(Self.event("changed", #"{"a":1,"list":[1,2]}"#)) == .updated)
        #expect(followed.apply(Self.event("patch", #"[{"op":"add","path":"/list/-","value":3},{"op":"replace","path":"/a","value":2}]"#)) == .updated)
        #expect(followed.document == (try Self.json(#"{"a":2,"list":[1,2,3]}"#)))
        #expect(followed.apply(Self.event("merge-patch", #"{"a":null,"b":{"c":true}}"#)) == .updated)
        #expect(followed.document == (try Self.json(#"{"list":[1,2,3],"b":{"c":true}}"#)))
    }

    @Test func removedInvalidAndUnknownEvents() throws {
        var followed = FollowedDocument()
        _ = followed.apply(Self.event("changed", #"{"a":1}"#))
        #expect(followed.apply(Self.event("invalid", #"{"line":1,"column":2,"message":"unexpected '}'"}"#)) == .invalid("unexpected '}'"))
        #expect(followed.document == ["a": 1])
        #expect(followed.apply(Self.event("something-new", "{}")) == .ignored)
        #expect(followed.apply(Self.event("removed", #"{"path":"app.json"}"#)) == .removed)
        #expect(followed.document == nil)
        #expect(followed.apply(Self.event("changed", "null")) == .updated)
        #expect(followed.document == .null)
    }

    /// A patch whose base is not the document held drops the document: never a wrong one.
    @Test(arguments: [
        ("patch", #"[{"op":"replace","path":"/missing","value":1}]"#),
        ("patch", #"[{"op":"test","path":"/a","value":2}]"#),
        ("patch", "not json"),
        ("appended", #"["a line"]"#),
        ("changed", "{"),
    ])
    func aPatchThatCannotApplyLosesTheBase(name: String, data: String) {
        var followed = FollowedDocument()
        _ = followed.apply(Self.event("changed", #"{"a":1}"#))
        guard case .lostBase = followed.apply(Self.event(name, data)) else {
            Issue.record("\(name) \(data) applied")
            return
        }
        #expect(followed.document == nil)
    }

    @Test func aPatchBeforeAnyDocumentLosesTheBase() {
        var followed = FollowedDocument()
        guard case .lostBase = followed.apply(Self.event("patch", "[]")) else {
            Issue.record("a patch applied to nothing")
            return
        }
        guard case .lostBase = followed.apply(Self.event("merge-patch", "{}")) else {
            Issue.record("a merge patch applied to nothing")
            return
        }
    }

    @Test func aLineStreamAppendsAndKeepsItsLastLines() throws {
        var followed = FollowedDocument(lineLimit: 3)
        _ = followed.apply(Self.event("changed", #"["one","two"]"#))
        #expect(followed.apply(Self.event("appended", #"["three"]"#)) == .updated)
        #expect(followed.document == ["one", "two", "three"])
        // A truncation leaves the lines a client has; the next lines continue them.
        #expect(followed.apply(Self.event("truncated", #"{"path":"app.log","size":0}"#)) == .ignored)
        #expect(followed.apply(Self.event("appended", #"["four",{"parsed":true}]"#)) == .updated)
        #expect(followed.document == ["three", "four", ["parsed": true]])
    }

    @Test(arguments: [
        ("/a", #"{"a":null}"#, true),
        ("/a", #"{"b":1}"#, false),
        ("/a=5", #"{"a":5.0}"#, true),
        ("/a=5", #"{"a":50e-1}"#, true),
        ("/a=5", #"{"a":"5"}"#, false),
        (#"/s="ready""#, #"{"s":"ready"}"#, true),
        (#"/o={"y":2,"x":1}"#, #"{"o":{"x":1,"y":2}}"#, true),
        ("/dist~1app.tar.gz", #"{"dist/app.tar.gz":{"size":1}}"#, true),
        ("/list/1", #"{"list":[0]}"#, false),
        ("/list/1=2", #"{"list":[1,2]}"#, true),
        ("", "null", true),
    ])
    func conditions(text: String, document: String, holds: Bool) throws {
        let condition = try FollowCondition(parsing: text)
        #expect(condition.isSatisfied(by: try Self.json(document)) == holds)
        #expect(!condition.isSatisfied(by: nil))
    }

    @Test(arguments: ["a", "/a~2", "/a=", "/a=ready", "/a={", "/k=a=b"])
    func badConditions(text: String) {
        #expect(throws: FollowConditionError.self) { try FollowCondition(parsing: text) }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/config", false, "127.0.0.1", 8080, "127.0.0.1:8080", "/config"),
        ("HTTPS://CI.example/artifacts?access_token=a%2Bb#frag", true, "ci.example", 443, "ci.example", "/artifacts?access_token=a%2Bb"),
        ("http://[::1]:9/", false, "::1", 9, "[::1]:9", "/"),
        ("http://localhost", false, "localhost", 80, "localhost", "/"),
        ("http://localhost?x=1", false, "localhost", 80, "localhost", "/?x=1"),
        ("http://h/%7Ea%20b", false, "h", 80, "h", "/%7Ea%20b"),
    ])
    func targets(text: String, tls: Bool, host: String, port: Int, hostField: String, requestTarget: String) throws {
        let target = try FollowTarget(parsing: text)
        #expect(target.isTLS == tls && target.host == host && target.port == port)
        #expect(target.hostField == hostField && target.requestTarget == requestTarget)
    }

    @Test(arguments: ["ws://h/", "h:80/x", "http://", "http://h:0/", "http://h:x/", "http://a@h/", "http://h/ x", "http://[::1/", "http://h_1/", "http://hé/"])
    func badTargets(text: String) {
        #expect(throws: ValueError.self) { try FollowTarget(parsing: text) }
    }

    @Test func theReconnectionTimeIsCapped() {
        var delay = ReconnectDelay()
        #expect(delay.wait(jitter: 0) == .seconds(3))
        delay.take(retry: 2000)
        #expect(delay.wait(jitter: 0) == .seconds(2) && delay.wait(jitter: 1) == .milliseconds(2200))
        delay.take(retry: Int.max)
        #expect(delay.wait(jitter: 0) == .seconds(60))
    }
}

import MirrorClient
import Testing
import MirrorDocument

/// `follow --until` and a directory stream's file still being written (`"writing": true`): a
/// pointer at or into such an entry does not satisfy the condition, so the file is whole when it fires.
@Suite("follow --until and files being written")
struct FollowWritingTests {
    static func json(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    static let writing = #"{"app.tar.gz":{"size":1,"mtime":"x","writing":true},"done.txt":{"size":2,"sha256":"ab"}}"#

    @Test(arguments: [
        // At the entry, with and without a value, and into it.
        ("/app.tar.gz", writing, false),
        (#"/app.tar.gz={"size":1,"mtime":"x","writing":true}"#, writing, false),
        ("/app.tar.gz/size", writing, false),
        ("/app.tar.gz/size=1", writing, false),
        ("/app.tar.gz/writing", writing, false),
        // Once written: no `writing` member.
        ("/app.tar.gz", #"{"app.tar.gz":{"size":1,"mtime":"x","sha256":"cd"}}"#, true),
        ("/app.tar.gz/size=1", #"{"app.tar.gz":{"size":1,"mtime":"x","sha256":"cd"}}"#, true),
        // Only JSON `true` counts.
        ("/app.tar.gz", #"{"app.tar.gz":{"size":1,"writing":false}}"#, true),
        ("/app.tar.gz", #"{"app.tar.gz":{"size":1,"writing":"true"}}"#, true),
        ("/app.tar.gz", #"{"app.tar.gz":{"size":1,"writing":1}}"#, true),
        // Another entry being written does not hold back this one.
        ("/done.txt", writing, true),
        ("/done.txt/size=2", writing, true),
        // An object on the way (the root included) that is being written holds it back too.
        ("/a/b", #"{"a":{"writing":true,"b":1}}"#, false),
        ("/a/b", #"{"writing":true,"a":{"b":1}}"#, false),
        ("", #"{"writing":true}"#, false),
        // A file named "writing" is an entry (an object), not `true`.
        ("/writing", #"{"writing":{"size":1,"sha256":"ab"}}"#, true),
        ("/list/0", #"{"list":[{"writing":true}]}"#, false),
        ("/list/1", #"{"list":[{"writing":true},{"size":1}]}"#, true),
    ])
    func untilWaitsForTheWholeFile(text: String, document: String, holds: Bool) throws {
        let condition = try FollowCondition(parsing: text)
        #expect(condition.isSatisfied(by: try Self.json(document)) == holds)
    }
}

import MirrorClient
import MirrorDocument
import Testing

/// A follower given a patch past ``JSONPatch/maximumResultSize`` drops its document and waits for a
/// whole `changed`, rather than building what the patch asks.
@Suite("follow and the patch bound", .timeLimit(.minutes(2)))
struct FollowedPatchBoundTests {
    @Test func fortyCopiesOfTheRootDropTheFollowedDocument() throws {
        var kilobyte = JSONObject()
        for index in 0..<50 { kilobyte["k\(index)"] = .string(String(repeating: "v", count: 10)) }
        let fortyCopies: [PatchOperation] = (0..<40).map { .copy(from: JSONPointer(tokens: []), path: JSONPointer(tokens: ["c\($0)"])) }
        var followed = FollowedDocument()
        _ = followed.apply(IncomingEvent(name: "changed", data: JSONSerializer.serialize(.object(kilobyte)), id: "1", lastEventID: "1"))
        let patch = JSONPatch.serialize(fortyCopies)
        guard case .lostBase(let reason) = followed.apply(IncomingEvent(name: "patch", data: patch, id: "2", lastEventID: "2")) else {
            Issue.record("the patch applied")
            return
        }
        #expect(reason.contains("64 MiB"), "\(reason)")
        #expect(followed.document == nil)
    }
}

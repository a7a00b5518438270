import MirrorCore
import Testing

/// An id is read only as the server writes it: any other spelling of a version (leading zeros,
/// a sign, spaces) is an id this server never sent.
@Suite("canonical event ids")
struct CanonicalEventIDTests {
    @Test(arguments: ["r1-0002", "r1-+2", "r1- 2", "r1-2 ", " r1-2", "r1-0", "r1-00", "r1-٢", "r1-2\n"])
    func anotherSpellingOfAVersionIsNoId(_ text: String) {
        #expect(EventID(parsing: text) == nil)
    }

    @Test func theCanonicalFormReadsBack() {
        for version: UInt64 in [1, 2, 10, 1_000_000, UInt64.max] {
            let id = EventID(run: "mwvwt1yh4k2q", version: version)
            #expect(EventID(parsing: id.description) == id)
        }
    }

    @Test func aCompositePartIsReadOnlyAsWritten() throws {
        let paths = ["/a", "/b", "/c"]
        let written = CompositeEventID(paths: paths, positions: [EventID(run: "r1", version: 7), EventID(run: "r1", version: 8), nil])
        #expect(written.description.hasSuffix(".r1-7.8."))
        #expect(CompositeEventID(parsing: written.description, paths: paths) == written)
        let tag = try #require(written.description.split(separator: ".").first)
        // A version with a leading zero, a run named again, a sign: that stream has no position.
        #expect(CompositeEventID(parsing: "\(tag).r1-07.8.", paths: paths)?.positions == [nil, nil, nil])
        #expect(CompositeEventID(parsing: "\(tag).r1-7.08.", paths: paths)?.positions == [EventID(run: "r1", version: 7), nil, nil])
        #expect(CompositeEventID(parsing: "\(tag).r1-7.r1-8.", paths: paths)?.positions == [EventID(run: "r1", version: 7), nil, nil])
        #expect(CompositeEventID(parsing: "\(tag).r1-7.+8.0", paths: paths)?.positions == [EventID(run: "r1", version: 7), nil, nil])
        // Another run is named in full, as written.
        #expect(CompositeEventID(parsing: "\(tag).r1-7.r2-3.4", paths: paths)?.positions
            == [EventID(run: "r1", version: 7), EventID(run: "r2", version: 3), EventID(run: "r2", version: 4)])
    }
}

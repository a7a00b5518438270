import MirrorCore
import NIOCore
import Testing

@Suite("composite event ids")
struct CompositeEventIDTests {
    let paths = ["/a", "/b", "/c"]

    @Test func writesEachRunOnceAndReadsItBack() throws {
        let id = CompositeEventID(paths: paths, positions: [EventID(run: "r1", version: 7), nil, EventID(run: "r1", version: 12)])
        let text = id.description
        #expect(text.hasSuffix(".r1-7..12"))
        #expect(CompositeEventID(parsing: text, paths: paths) == id)
        // A stream of another engine (a reload started it) names its own run.
        let mixed = CompositeEventID(paths: paths, positions: [EventID(run: "r1", version: 7), EventID(run: "r2", version: 3), EventID(run: "r2", version: 4)])
        #expect(mixed.description.hasSuffix(".r1-7.r2-3.4"))
        #expect(CompositeEventID(parsing: mixed.description, paths: paths) == mixed)
    }

    @Test func anotherListOfStreamsOrAnotherKindOfIdIsNoPosition() {
        let text = CompositeEventID(paths: paths, positions: [EventID(run: "r", version: 1), nil, nil]).description
        #expect(CompositeEventID(parsing: text, paths: ["/b", "/a", "/c"]) == nil)
        #expect(CompositeEventID(parsing: text, paths: ["/a", "/b"]) == nil)
        #expect(CompositeEventID(parsing: "r-1", paths: ["/a"]) == nil)
        #expect(EventID(parsing: text) == nil, "a single stream never reads a composite id as its own")
        // A malformed part is no position for that stream only.
        let tag = text.split(separator: ".")[0]
        #expect(CompositeEventID(parsing: "\(tag).5.r-2.x_y", paths: paths)?.positions == [nil, EventID(run: "r", version: 2), nil])
    }

    /// Eight streams a hundred million versions in: still well under Fetch's 128 bytes.
    @Test func eightStreamsStayUnder128Bytes() {
        let eight = (1...8).map { "/stream-\($0)" }
        let run = EventID.newRun()
        let id = CompositeEventID(paths: eight, positions: eight.map { _ in EventID(run: run, version: 99_999_999) })
        #expect(id.description.utf8.count <= 128, "\(id.description.utf8.count) bytes")
    }

    @Test func dataFieldsAreTheDataLinesOfTheSharedBytes() {
        let encoder = SSEEncoder()
        let one = encoder.encode(.changed(id: EventID(run: "abc", version: 7), document: Array(#"{"a":1}"#.utf8)), sequence: 1)
        #expect(String(buffer: one.dataFields) == "data: {\"a\":1}\n")
        let lines = encoder.encode(SSEEvent(name: "x", id: nil, data: Array("one\ntwo".utf8), role: .notice), sequence: 2)
        #expect(String(buffer: lines.dataFields) == "data: one\ndata: two\n")
    }
}

import MirrorClient
import Testing

/// The event-stream parser against WHATWG HTML §9.2.6 and its examples (§9.2.5 has the grammar).
@Suite("event stream parser")
struct EventStreamParserTests {
    /// The stream fed in one piece.
    static func parse(_ text: String, lastEventID: String = "") throws -> [EventStreamParser.Output] {
        var parser = EventStreamParser(lastEventID: lastEventID)
        return try parser.feed(Array(text.utf8))
    }

    static func event(_ data: String, name: String = "message", id: String? = nil, last: String = "") -> EventStreamParser.Output {
        .event(IncomingEvent(name: name, data: Array(data.utf8), id: id, lastEventID: last))
    }

    @Test func dataLinesJoinWithLineFeeds() throws {
        // The spec's stock-ticker example: one event whose data is three lines.
        #expect(try Self.parse("data: YHOO\ndata: +2\ndata: 10\n\n") == [Self.event("YHOO\n+2\n10")])
    }

    @Test func theSpecsCommentAndIDExample() throws {
        let stream = ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n"
        #expect(try Self.parse(stream) == [
            Self.event("first event", id: "1", last: "1"),
            // `id` with no value resets the last event ID to empty.
            Self.event("second event", id: "", last: ""),
            // Only one space after the colon goes; the third event has no blank line after it, so
            // it is never dispatched.
        ])
        #expect(try Self.parse(stream + "\n").last == Self.event(" third event"))
    }

    @Test func emptyDataAndFieldsWithoutAColon() throws {
        // The spec's example: "data" alone is a data field with an empty value.
        #expect(try Self.parse("data\n\ndata\ndata\n\ndata:") == [Self.event(""), Self.event("\n")])
        #expect(try Self.parse("data:test\n\ndata: test\n\n") == [Self.event("test"), Self.event("test")])
    }

    @Test func eventNamesAndAnEventWithoutDataIsNotDispatched() throws {
        #expect(try Self.parse("event: changed\nid: r-1\ndata: {}\n\nevent: patch\n\n") == [
            Self.event("{}", name: "changed", id: "r-1", last: "r-1"),
        ])
        // The type is reset after each event, dispatched or not.
        #expect(try Self.parse("event: x\n\ndata: y\n\n") == [Self.event("y")])
    }

    @Test func anIDWithANULIsIgnored() throws {
        let stream = "id: r-1\ndata: a\n\nid: r-\u{0}2\ndata: b\n\n"
        #expect(try Self.parse(stream) == [
            Self.event("a", id: "r-1", last: "r-1"),
            Self.event("b", id: nil, last: "r-1"),
        ])
    }

    @Test func theLastEventIDCarriesOverAndStartsFromTheResumedOne() throws {
        let events = try Self.parse("data: a\n\nevent: invalid\ndata: b\n\nid: r-9\n\ndata: c\n\n", lastEventID: "r-5")
        #expect(events == [
            Self.event("a", last: "r-5"),
            Self.event("b", name: "invalid", last: "r-5"),
            // An id-only block dispatches nothing but sets the last event ID (§9.2.6 step 1).
            Self.event("c", last: "r-9"),
        ])
    }

    @Test(arguments: [
        ("retry: 2000\n", [2000]),
        ("retry:17342\n", [17342]),
        ("retry: 15x\n", []),
        ("retry: -1\n", []),
        ("retry: 1.5\n", []),
        ("retry:\n", []),
        ("retry:  100\n", []),
        ("retry: 99999999999999999999999\n", [Int.max]),
    ])
    func retryTakesDigitsAlone(line: String, expected: [Int]) throws {
        let outputs = try Self.parse(line + "\n")
        #expect(outputs == expected.map { .retry(milliseconds: $0) })
    }

    @Test func commentsAndUnknownFieldsAreIgnored() throws {
        #expect(try Self.parse(": heartbeat\n:\nfoo: bar\nDATA: no\ndata: yes\n\n") == [Self.event("yes")])
    }

    @Test(arguments: ["\n", "\r", "\r\n"])
    func everyLineEnd(end: String) throws {
        let stream = ["event: changed", "id: r-1", "data: one", "data: two", "", ": c", "data: three", "", ""].joined(separator: end)
        #expect(try Self.parse(stream) == [
            Self.event("one\ntwo", name: "changed", id: "r-1", last: "r-1"),
            Self.event("three", last: "r-1"),
        ])
    }

    @Test func aCRLFSplitBetweenChunksIsOneLineEnd() throws {
        var parser = EventStreamParser()
        #expect(try parser.feed(Array("data: a\r".utf8)).isEmpty)
        // Were the LF a second line end, the blank line would dispatch "a" alone.
        #expect(try parser.feed(Array("\ndata: b\r\n".utf8)).isEmpty)
        #expect(try parser.feed(Array("\r".utf8)) == [Self.event("a\nb")])
        #expect(try parser.feed(Array("\ndata: c\n\n".utf8)) == [Self.event("c")])
    }

    @Test func oneByteOrderMarkAtTheStartIsIgnored() throws {
        #expect(try Self.parse("\u{FEFF}data: x\n\n") == [Self.event("x")])
        // A second one is part of the first field's name, which no field has.
        #expect(try Self.parse("\u{FEFF}\u{FEFF}data: x\n\n").isEmpty)
        // Only at the start.
        #expect(try Self.parse("data: a\n\n\u{FEFF}data: b\n\n") == [Self.event("a")])
        // Bytes that begin like one and are not: they stay, as the start of the first line.
        var parser = EventStreamParser()
        #expect(try parser.feed([0xEF, 0xBB]).isEmpty)
        #expect(try parser.feed(Array("data: x\n\ndata: y\n\n".utf8)) == [Self.event("y")])
        var split = EventStreamParser()
        #expect(try split.feed([0xEF]).isEmpty)
        #expect(try split.feed([0xBB, 0xBF] + Array("data: z\n\n".utf8)) == [Self.event("z")])
    }

    /// A stream cut at every place, and fed a byte at a time, reads as it does whole.
    @Test func chunkBoundariesDoNotMatter() throws {
        let stream = Array("\u{FEFF}retry: 2000\r\n: hi\r\nevent: changed\r\nid: r-1\r\ndata: {\"é\":1}\r\n\r\nevent: patch\rid: r-2\rdata: []\r\rdata: x\ndata\n\n".utf8)
        var whole = EventStreamParser()
        let expected = try whole.feed(stream)
        #expect(expected.count == 4)
        for cut in 0...stream.count {
            for second in cut...stream.count where second == cut || second == stream.count || (second - cut) % 7 == 0 {
                var parser = EventStreamParser()
                var outputs = try parser.feed(stream[..<cut])
                outputs += try parser.feed(stream[cut..<second])
                outputs += try parser.feed(stream[second...])
                #expect(outputs == expected, "cut at \(cut) and \(second)")
            }
        }
        var parser = EventStreamParser()
        var outputs: [EventStreamParser.Output] = []
        for byte in stream { outputs += try parser.feed([byte]) }
        #expect(outputs == expected)
    }

    @Test func aLineOrAnEventPastTheLimitIsAnError() throws {
        var parser = EventStreamParser(limit: 16)
        #expect(throws: EventStreamError.lineTooLong(limit: 16)) {
            _ = try parser.feed(Array("data: 0123456789".utf8))
            _ = try parser.feed(Array("abcdef".utf8))
        }
        var events = EventStreamParser(limit: 16)
        #expect(throws: EventStreamError.eventTooLarge(limit: 16)) {
            _ = try events.feed(Array("data: 0123456\ndata: 789abcd\ndata: e\n".utf8))
        }
    }

    @Test func finishDiscardsAHalfReceivedEvent() throws {
        var parser = EventStreamParser()
        _ = try parser.feed(Array("data: half".utf8))
        parser.finish()
        #expect(try parser.feed(Array("data: whole\n\n".utf8)) == [Self.event("whole")])
    }

    @Test func anEventPrintsAsEventStreamText() {
        let event = IncomingEvent(name: "changed", data: Array("a\nb".utf8), id: "r-1", lastEventID: "r-1")
        #expect(String(decoding: event.text, as: UTF8.self) == "event: changed\nid: r-1\ndata: a\ndata: b\n\n")
        let noID = IncomingEvent(name: "invalid", data: [], id: nil, lastEventID: "r-1")
        #expect(String(decoding: noID.text, as: UTF8.self) == "event: invalid\ndata: \n\n")
    }
}

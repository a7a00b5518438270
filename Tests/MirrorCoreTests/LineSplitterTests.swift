@testable import MirrorCore
import Logging
import MirrorTestSupport
import Testing
import MirrorDocument

/// Bytes → complete lines: every line end WHATWG SSE knows, across reads, fragments held, long
/// lines cut, and the JSON each line becomes.
@Suite("line splitter")
struct LineSplitterTests {
    /// Splits `reads` one after another; returns the lines and what is still held.
    static func split(_ reads: [[UInt8]], maxLine: Int = 1 << 16) -> (lines: [[UInt8]], held: Int) {
        var splitter = LineSplitter(maxLine: maxLine)
        var lines: [[UInt8]] = []
        for read in reads {
            read.withUnsafeBytes { splitter.split($0) { lines.append(Array($0)) } }
        }
        return (lines, splitter.heldBytes)
    }

    static func text(_ lines: [[UInt8]]) -> [String] { lines.map { String(decoding: $0, as: UTF8.self) } }

    @Test(arguments: [
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\rb\r", ["a", "b"]),
        ("a\n\nb\n", ["a", "", "b"]),
        ("a\r\rb\n", ["a", "", "b"]),
        ("a\r\n\r\nb\n", ["a", "", "b"]),
        ("mixed\ra\r\nb\nc\n", ["mixed", "a", "b", "c"]),
    ])
    func lineEnds(input: String, expected: [String]) {
        #expect(Self.text(Self.split([Array(input.utf8)]).lines) == expected)
    }

    @Test func aCRLFSplitAcrossReadsIsOneLineEnd() {
        let result = Self.split([Array("a\r".utf8), Array("\nb\r".utf8), Array("\n".utf8), Array("c\n".utf8)])
        #expect(Self.text(result.lines) == ["a", "b", "c"])
    }

    @Test func aLoneCRAtTheEndOfAReadEndsTheLineAtOnce() {
        let result = Self.split([Array("a\r".utf8)])
        #expect(Self.text(result.lines) == ["a"])
        #expect(result.held == 0)
        #expect(Self.text(Self.split([Array("a\r".utf8), Array("\r".utf8), Array("b\n".utf8)]).lines) == ["a", "", "b"])
    }

    @Test func aFragmentIsHeldUntilItsLineEnd() {
        let first = Self.split([Array("one\ntw".utf8)])
        #expect(Self.text(first.lines) == ["one"])
        #expect(first.held == 2)
        #expect(Self.text(Self.split([Array("one\ntw".utf8), Array("o and".utf8), Array(" more\nthree".utf8)]).lines) == ["one", "two and more"])
    }

    @Test func flushHandsOnTheFragment() {
        var splitter = LineSplitter(maxLine: 100)
        var lines: [String] = []
        Array("a\nlast".utf8).withUnsafeBytes { splitter.split($0) { lines.append(String(decoding: $0, as: UTF8.self)) } }
        splitter.flush { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines == ["a", "last"])
        #expect(splitter.heldBytes == 0)
    }

    @Test func longLinesAreCutIntoPiecesAndTheFragmentStaysBounded() {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 25)
        let whole = Self.split([long + [0x0A]], maxLine: 10)
        #expect(whole.lines.map(\.count) == [10, 10, 5])
        // Without its line end, the held part never passes the bound.
        var splitter = LineSplitter(maxLine: 10)
        var pieces: [Int] = []
        for _ in 0..<5 { long.withUnsafeBytes { splitter.split($0) { pieces.append($0.count) } } }
        #expect(splitter.heldBytes <= 10)
        #expect(pieces.reduce(0, +) + splitter.heldBytes == 125)
        #expect(splitter.cutLines == pieces.count)
    }

    @Test func aCutDoesNotSplitACharacter() {
        // "aé" is 3 bytes; a cut after 2 would split é (C3 A9).
        let result = Self.split([Array("aéé\n".utf8)], maxLine: 4)
        #expect(Self.text(result.lines) == ["aé", "é"])
    }

    @Test func nulAndInvalidUTF8StayInsideOneLine() {
        let result = Self.split([[0x61, 0x00, 0xFF, 0x62, 0x0A]])
        #expect(result.lines == [[0x61, 0x00, 0xFF, 0x62]])
    }

    static func json(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        bytes.withUnsafeBytes { LineJSON.appendString($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    @Test(arguments: [
        ([UInt8]("plain".utf8), #""plain""#),
        ([UInt8]("quote \" back \\ tab \t".utf8), #""quote \" back \\ tab \t""#),
        ([0x61, 0x00, 0x62], #""a\u0000b""#),
        ([0x1B, 0x7F], "\"\\u001b\u{7F}\""),
        ([0x61, 0xFF, 0x62], "\"a\u{FFFD}b\""),
        ([0xC3], "\"\u{FFFD}\""),
        ([0xED, 0xA0, 0x80], "\"\u{FFFD}\u{FFFD}\u{FFFD}\""),
        ([UInt8]("é 日本 😀".utf8), "\"é 日本 😀\""),
        ([UInt8]("\u{2028}x\u{2029}".utf8), #""\u2028x\u2029""#),
    ])
    func linesAsJSONStrings(bytes: [UInt8], expected: String) throws {
        let text = Self.json(bytes)
        #expect(text == expected)
        // Always a valid JSON string, one line.
        #expect(!text.utf8.contains(0x0A) && !text.utf8.contains(0x0D))
        _ = try JSONParser.parse(Array(text.utf8))
    }

    /// The eight-at-a-time test agrees with the byte test for every byte value at every place in
    /// the word, and long lines take the word path: the same special bytes escaped past it.
    @Test func wordsOfPlainBytesAreSkippedExactly() {
        for value in 0...255 {
            let special = value < 0x20 || value == 0x22 || value == 0x5C || value >= 0x80
            for place in 0..<8 {
                var word = [UInt8](repeating: 0x61, count: 8)
                word[place] = UInt8(value)
                let packed = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                #expect(LineJSON.isPlain(packed) == !special, "byte \(value) at \(place)")
            }
        }
        let long = String(repeating: "0123456789abcdef", count: 4) + "\"" + String(repeating: "x", count: 13) + "\u{1}é"
        #expect(Self.json(Array(long.utf8)) == "\"" + long.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\u{1}", with: "\\u0001") + "\"")
    }

    /// The one-pass path for a whole read gives byte for byte what line-by-line encoding gives,
    /// on random reads of plain text, escapes, control bytes, UTF-8 and broken UTF-8 (no CR, which
    /// only the splitter handles); a line over the bound leaves the batch as it was.
    @Test func aWholeReadEncodesAsItsLinesDo() {
        var random = SplitMix64(seed: 0x11AE5)
        let alphabet: [[UInt8]] = [
            Array("plain text ".utf8), [0x22], [0x5C], [0x09], [0x00], [0x1F], [0x7F], Array("é".utf8),
            Array("😀".utf8), Array("\u{2028}".utf8), [0xFF], [0xE2, 0x82], [0xF0, 0x9F], [0x0A], [0x0A], [0x0A],
        ]
        for _ in 0..<2_000 {
            var read: [UInt8] = []
            for _ in 0..<Int.random(in: 1...40, using: &random) { read += alphabet.randomElement(using: &random)! }
            read.append(0x0A)
            var expected = LineBatch()
            for line in read.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
                Array(line).withUnsafeBytes { bytes in expected.append { LineJSON.appendString(bytes, to: &$0) } }
            }
            var whole = LineBatch()
            #expect(read.withUnsafeBytes { whole.appendLines($0, maxLine: 1 << 16) })
            #expect(whole.takeArray() == expected.array(), "read \(read)")
        }
        var batch = LineBatch()
        Array("ok\n".utf8).withUnsafeBytes { _ = batch.appendLines($0, maxLine: 8) }
        let before = batch.array()
        #expect(!Array("short\nmuch too long\n".utf8).withUnsafeBytes { batch.appendLines($0, maxLine: 8) })
        #expect(batch.array() == before && batch.count == 1)
    }

    @Test func batchesAndTheTail() {
        var batch = LineBatch()
        for text in ["a", "b", "c"] {
            batch.append { output in Array(text.utf8).withUnsafeBytes { LineJSON.appendString($0, to: &output) } }
        }
        #expect(String(decoding: batch.array(), as: UTF8.self) == #"["a","b","c"]"#)
        var tail = TailLines(capacity: 2)
        #expect(String(decoding: tail.array(), as: UTF8.self) == "[]")
        tail.append(batch)
        #expect(String(decoding: tail.array(), as: UTF8.self) == #"["b","c"]"#)
        tail.append(Array(#""d""#.utf8))
        #expect(String(decoding: tail.array(), as: UTF8.self) == #"["c","d"]"#)
        var none = TailLines(capacity: 0)
        none.append(batch)
        #expect(String(decoding: none.array(), as: UTF8.self) == "[]")
    }
}

/// A stream keeping many lines encodes its whole state again only as often as it is worth it.
@Suite("line stream state")
struct LineStreamStateTests {
    @Test func theStateCatchesUpWhenTheLogDoesAndNotOnEveryRead() throws {
        var config = StreamConfig(path: "/log", watch: "app.log", watchPath: "/nonexistent/app.log", format: .lines, source: .lines)
        config.lines = LineOptions(tail: 100_000)
        let stream = LineStream(StreamBasis(config: config, run: "run", encoder: SSEEncoder(), logger: Logger(label: "test")))
        stream.start(with: LineBatch())
        func read(_ count: Int, from first: Int, more: Bool) {
            for number in first..<first + count {
                Array("line \(number) of a log that keeps many lines".utf8).withUnsafeBytes { stream.take($0) }
            }
            stream.flush(caughtUp: !more)
        }
        // A backlog, read chunk after chunk: the state (already bigger than each chunk) stays behind...
        read(2_000, from: 0, more: true)
        read(100, from: 2_000, more: true)
        let lagging = try #require(stream.hub.current().state)
        #expect(lagging.id!.version < 3)
        // (a client joining now gets that state and the `appended` events after it; the history
        // keeps every event newer than its state, see EventHistoryTests)
        // Caught up: the state is the newest version, with every line.
        read(1, from: 2_100, more: false)
        let state = try #require(stream.hub.current().state)
        #expect(state.id!.version == 4)
        guard case .array(let lines) = try JSONParser.parse(Array(state.data.readableBytesView)) else {
            Issue.record("the state is not an array")
            return
        }
        #expect(lines.count == 2_101)
    }
}

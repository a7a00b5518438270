import MirrorCore
import Testing
import MirrorDocument

/// Config text written to hurt: deep nesting, huge collections, aliases, bytes that are not UTF-8,
/// other line endings. Each must end in a ``ConfigError`` with the right mark, quickly.
@Suite("hostile YAML")
struct HostileYAMLTests {
    /// Loads `text`, expects an error, and returns it with how long the load took.
    func failure(_ text: String) -> (error: ConfigError?, elapsed: Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try load(text)
            return (nil, clock.now - start)
        } catch {
            return (error, clock.now - start)
        }
    }

    /// `- ` × 60,000 used to build a tree so deep that freeing it overflowed the stack (SIGSEGV).
    /// The 65th level is refused where it opens: `streams` is level 1, the first `- ` at column 3 level 2.
    @Test func deepBlockNestingIsRefusedWhereItCrossesTheLimit() throws {
        let (error, _) = failure("streams:\n  " + String(repeating: "- ", count: 60_000) + "x\n")
        let found = try #require(error)
        #expect(found.mark == SourceMark(line: 2, column: 3 + 2 * 63))
        #expect(found.message == "lists and mappings nest more than 64 levels deep; a config needs only a few")
    }

    /// `[` × 70,000 took libyaml 17 s (its simple-key check walks every open level per token);
    /// refused at level 65 it reads no further.
    @Test func deepFlowNestingIsRefusedQuickly() throws {
        let (error, elapsed) = failure("streams: " + String(repeating: "[", count: 70_000) + "\n")
        let found = try #require(error)
        #expect(found.mark == SourceMark(line: 1, column: 10 + 63))
        #expect(found.message.contains("nest more than 64 levels"))
        #expect(elapsed < .seconds(2), "\(elapsed)")
        let (mappings, _) = failure("streams: " + String(repeating: "{a: ", count: 70_000) + "\n")
        #expect(try #require(mappings).mark == SourceMark(line: 1, column: 10 + 63 * 4))
    }

    /// Aliases add the depth of what they name, so a chain of them cannot build a deep tree either.
    @Test func aliasesCountTowardTheDepth() throws {
        var text = "a0: &a0 " + String(repeating: "[", count: 60) + "x" + String(repeating: "]", count: 60) + "\n"
        text += "a1: &a1 " + String(repeating: "[", count: 30) + "*a0" + String(repeating: "]", count: 30) + "\n"
        let (error, _) = failure(text + "streams: []\n")
        let found = try #require(error)
        #expect(found.mark == SourceMark(line: 2, column: 9 + 30))
        #expect(found.message.contains("nest more than 64 levels"))
    }

    @Test func sixtyFourLevelsAreAllowed() throws {
        _ = try YAMLParser.parse(Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8))
        #expect(throws: YAMLError(mark: SourceMark(line: 1, column: 65), message: "lists and mappings nest more than 64 levels deep; a config needs only a few")) {
            try YAMLParser.parse(Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8))
        }
    }

    /// About 1 MiB of other shapes: a flow mapping with 50,000 keys (duplicate keys used to be found by a
    /// scan of all earlier keys, quadratic), as many block keys, and an alias repeated 200,000 times.
    @Test(arguments: [
        ("flow mapping", "x: {" + (0..<60_000).map { "k\($0): v" }.joined(separator: ", ") + "}\nstreams: []\n"),
        ("block keys", "streams: []\n" + (0..<60_000).map { "k\($0): v\n" }.joined()),
        ("nested keys", "x:\n" + (0..<60_000).map { "  k\($0): v\n" }.joined() + "streams: []\n"),
        ("aliases", "a: &a [x, x, x]\nb: [" + Array(repeating: "*a", count: 200_000).joined(separator: ", ") + "]\nstreams: []\n"),
    ])
    func megabyteShapesFailFast(name: String, text: String) throws {
        let (error, elapsed) = failure(text)
        #expect(try #require(error).message.contains("more than 100000 nodes"))
        // Well under a second in a release build; the bound leaves room for a debug build on a busy machine.
        #expect(elapsed < .seconds(3), "\(name): \(elapsed)")
    }

    /// Each node counts once toward the bound: 19,000 streams are 95,003 nodes, under 100,000.
    @Test func nodesCountOnce() throws {
        let config = try load("streams:\n" + (0..<19_000).map { "  - {path: /s\($0), watch: s\($0)}\n" }.joined())
        #expect(config.streams.count == 19_000)
    }

    /// Swift's `Character` joins `\r\n` into one, so splitting a `String` on `"\n"` left a CRLF file
    /// as a single line and the snippet empty.
    @Test(arguments: [("CRLF", "\r\n"), ("CR", "\r"), ("LF", "\n"), ("NEL", "\u{85}"), ("LINE SEPARATOR", "\u{2028}")])
    func lineEndingsGiveTheRightSnippet(name: String, newline: String) throws {
        let text = ["streams:", "  - path: /a", "    watch: a", "    format: xml", ""].joined(separator: newline)
        let (error, _) = failure(text)
        let found = try #require(error)
        #expect(found.mark == SourceMark(line: 4, column: 13), "\(name)")
        #expect(found.sourceLine == "    format: xml", "\(name)")
        #expect(found.description.hasSuffix(" 4 |     format: xml\n   |             ^"), "\(name)")
    }

    /// libyaml reports reader errors by byte offset only; `problem_mark` stays at 1:1.
    @Test func invalidUTF8IsMarkedWhereItIs() throws {
        let bytes = Array("streams:\n  - path: /a\n    watch: é".utf8) + [0xFF] + Array("x\n".utf8)
        do {
            _ = try load(bytes)
            Issue.record("accepted")
        } catch {
            // Column 13 counts `é` as one character, as libyaml counts columns.
            #expect(error.mark == SourceMark(line: 3, column: 13))
            #expect(error.message == "invalid leading UTF-8 octet (byte 0xFF); a config file is UTF-8 text")
            #expect(error.sourceLine == "    watch: é\u{FFFD}x")
        }
    }

    @Test func controlCharactersAreMarkedAndNotPrinted() throws {
        let (error, _) = failure("streams: []\nx: \"a\u{1B}[2J\"\ny: \"\0\"\n")
        let found = try #require(error)
        #expect(found.mark == SourceMark(line: 2, column: 6))
        #expect(found.message == "control characters are not allowed (U+001B)")
        // The escape sequence would clear the terminal; the snippet shows a replacement character instead.
        #expect(!found.description.contains("\u{1B}"))
        #expect(found.description.contains(" 2 | x: \"a\u{FFFD}[2J\"\n   |      ^"))
    }

    /// A key may hold any character in a quoted scalar; the message must stay on one line.
    @Test func messagesEscapeControlCharacters() throws {
        let (error, _) = failure("streams: []\n\"bad\\nkey\\e\": 1\n")
        let description = try #require(error).description
        #expect(description.hasPrefix("mirror.yaml:2:1: error: unknown key 'bad\\u{A}key\\u{1B}' in the config"))
        #expect(!description.contains("\u{1B}"))
    }

    /// A byte order mark is not on line 1's columns.
    @Test func byteOrderMarkDoesNotShiftColumns() throws {
        let (error, _) = failure("\u{FEFF}listen: nowhere\nstreams: []\n")
        let found = try #require(error)
        #expect(found.mark == SourceMark(line: 1, column: 9))
        #expect(found.sourceLine == "listen: nowhere")
    }

    /// An unclosed quote is reported at the end of the file; the message says where it opened.
    @Test func unclosedQuoteSaysWhereItStarts() throws {
        let (error, _) = failure("streams:\n  - path: \"/a\n    watch: a\n")
        let found = try #require(error)
        #expect(found.mark == SourceMark(line: 4, column: 1))
        #expect(found.message.hasSuffix("while scanning a quoted scalar that starts at line 2, column 11"))
    }

    /// A 900,000-character line is shown as a window around the column, with the caret still under it.
    @Test func longLinesAreShownAroundTheColumn() throws {
        let (error, _) = failure("streams: []\nx: " + String(repeating: "a", count: 900_000) + " : b: c\n")
        let found = try #require(error)
        let lines = found.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1].count < 140)
        #expect(lines[1].hasPrefix(" 2 | …aaa"))
        let caret = try #require(lines[2].firstIndex(of: "^"))
        let column = lines[2].distance(from: lines[2].startIndex, to: caret)
        let shown = Array(lines[1])
        #expect(shown[column] == ":" && shown[column - 1] == " " && shown[column + 1] == " ", "\(found.description)")
    }

    @Test(arguments: [
        ("empty", "", 1, "the config is empty"),
        ("only ---", "---\n", 2, "the config must be a mapping of keys to values, got null"),
        ("only a comment", "# nothing\n", 1, "the config is empty"),
        ("tab indentation", "streams:\n\t- path: /a\n", 2, "found character that cannot start any token"),
    ])
    func emptyAndOddDocuments(name: String, text: String, line: Int, message: String) throws {
        let (error, _) = failure(text)
        let found = try #require(error, "\(name)")
        #expect(found.mark?.line == line, "\(name)")
        #expect(found.message.contains(message), "\(name): \(found)")
    }
}

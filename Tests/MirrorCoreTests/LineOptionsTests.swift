@testable import MirrorCore
import Testing
import MirrorDocument

/// The keys of a line stream: `tail`, `grep`, `exclude`, `parse`, `max_line`, each checked at its
/// value's line and column, and refused on streams that are not `format: lines`.
@Suite("line options")
struct LineOptionsTests {
    /// A line stream with `options` added, so every value starts at line 5.
    func stream(_ options: String) throws(ConfigError) -> StreamConfig {
        try load("streams:\n  - path: /log\n    watch: app.log\n    format: lines\n" + options).streams[0]
    }

    @Test func defaults() throws {
        let config = try stream("")
        #expect(config.source == .lines)
        #expect(config.lines == LineOptions(tail: 10, grep: [], exclude: [], parseJSON: false, maxLine: 64 << 10))
    }

    @Test func everyKey() throws {
        let config = try stream(
            """
                tail: 100
                grep: 'ERROR|WARN'
                exclude: [healthz, '^DEBUG']
                parse: json
                max_line: 1MiB
            """
        )
        #expect(config.lines.tail == 100)
        #expect(config.lines.grep.map(\.source) == ["ERROR|WARN"])
        #expect(config.lines.exclude.map(\.source) == ["healthz", "^DEBUG"])
        #expect(config.lines.parseJSON)
        #expect(config.lines.maxLine == 1 << 20)
        #expect(try stream("    tail: 0\n").lines.tail == 0)
    }

    @Test func grepAndExcludeAreExtendedRegularExpressions() throws {
        let options = try stream("    grep: ['^(GET|POST) /api', 'x{2,}']\n    exclude: ' 5[0-9]{2} '\n").lines
        func passes(_ line: String) -> Bool { Array(line.utf8).withUnsafeBytes { options.passes($0) } }
        #expect(passes("GET /api/items 200"))
        #expect(passes("PUT /xx"))
        #expect(!passes("PUT /x"))
        #expect(!passes("POST /api/items 503 "))
        // A NUL inside the line is matched past, not taken as the end.
        #expect(Array("a\u{0}GET /api".utf8).withUnsafeBytes { !options.passes($0) })
        #expect(Array("a\u{0}xx".utf8).withUnsafeBytes { options.passes($0) })
    }

    @Test(arguments: [
        ("tail: -1", 5, 11, "tail: must be from 0 to 100000"),
        ("tail: 100001", 5, 11, "tail: must be from 0 to 100000"),
        ("tail: ten", 5, 11, "tail: expected a whole number of lines"),
        ("grep: '(unclosed'", 5, 11, "grep: not a POSIX extended regular expression: "),
        ("exclude: [ok, 'a{2']", 5, 19, "exclude: not a POSIX extended regular expression: "),
        ("grep: {a: 1}", 5, 11, "grep: expected a string"),
        ("parse: yaml", 5, 12, "parse: unknown value 'yaml' (allowed: json)"),
        ("max_line: 0", 5, 15, "max_line: 0 is too small"),
        ("max_line: 17MiB", 5, 15, "max_line: must be at most"),
        ("transform: [{redact: ['**.token']}]", 5, 5, "transform: a line stream applies rules to lines parsed as JSON; add 'parse: json'"),
    ])
    func rejectsWithLineAndColumn(option: String, line: Int, column: Int, message: String) {
        do {
            _ = try stream("    \(option)\n")
            Issue.record("accepted: \(option)")
        } catch {
            #expect(error.mark == SourceMark(line: line, column: column), "\(error)")
            #expect(error.message.hasPrefix(message), "\(error)")
        }
    }

    @Test(arguments: ["tail: 5", "grep: x", "exclude: x", "parse: json", "max_line: 10"])
    func onlyForLineStreams(option: String) {
        do {
            _ = try load("streams:\n  - path: /a\n    watch: a.json\n    \(option)\n")
            Issue.record("accepted on a file stream: \(option)")
        } catch {
            #expect(error.mark == SourceMark(line: 4, column: 5), "\(error)")
            #expect(error.message.hasSuffix("only for format: lines"), "\(error)")
        }
    }
}

import MirrorCore
import Testing
import MirrorDocument

/// `transform:` in mirror.yaml: every bad rule is a config error at the offending node's line
/// and column, so `sse-mirror check` points at it.
@Suite("transform in mirror.yaml")
struct TransformConfigTests {
    func stream(_ options: String) throws(ConfigError) -> StreamConfig {
        try ConfigLoader.parse(Array(("streams:\n  - path: /a\n    watch: a.json\n" + options).utf8), file: "mirror.yaml", baseDirectory: "/srv/app")
            .streams[0]
    }

    @Test func decodesEveryRuleInOrder() throws {
        let config = try stream(
            #"""
                transform:
                  - select: /features            # RFC 6901 pointer: publish a subtree
                  - pick: [name, flags]          # keep only these keys of an object
                  - omit: [/internal]            # drop pointers
                  - redact: [/db/password, "**.token", "**.secret*", 'a\.b']
            """#
        )
        let expected = Transform([
            .select(try JSONPointer("/features")),
            .pick(["name", "flags"]),
            .omit([try PathPattern("/internal")]),
            .redact(try ["/db/password", "**.token", "**.secret*", #"a\.b"#].map(PathPattern.init)),
        ])
        #expect(config.transform == expected)
    }

    @Test func noTransformByDefault() throws {
        #expect(try stream("").transform.isEmpty)
        #expect(try stream("    transform: []\n").transform.isEmpty)
    }

    /// Each line is added under `    transform:` (line 4), so list items are on line 5 onwards.
    @Test(arguments: [
        ("    transform: {select: /a}", 4, 16, "transform: expected a list of rules, like [{redact: [/db/password]}], got a mapping"),
        ("    transform: /a", 4, 16, "transform: expected a list of rules"),
        ("    transform:\n      - select: features", 5, 17, "transform.select: a JSON pointer starts with '/', like /features"),
        ("    transform:\n      - select: ''", 5, 17, "transform.select: a JSON pointer starts with '/'"),
        ("    transform:\n      - select: /a~2b", 5, 17, "transform.select: '~' must be followed by '0' or '1' in a JSON pointer"),
        ("    transform:\n      - select: [/a]", 5, 17, "transform.select: expected a string, got a sequence"),
        ("    transform:\n      - pick: []", 5, 15, "transform.pick: the list may not be empty"),
        ("    transform:\n      - pick: name", 5, 15, #"transform.pick: expected a list, like [name, flags], got the string "name""#),
        ("    transform:\n      - pick: [name, 1]", 5, 22, "transform.pick: expected a string, got the integer 1"),
        ("    transform:\n      - omit: []", 5, 15, "transform.omit: the list may not be empty"),
        ("    transform:\n      - redact:", 5, 16, "transform.redact: expected a list, like [/db/password, \"**.token\"], got null"),
        ("    transform:\n      - drop: [/a]", 5, 9, "transform: unknown rule 'drop' (allowed: select, pick, omit, redact)"),
        ("    transform:\n      - {pick: [a], omit: [/b]}", 5, 21, "transform: one rule per list item; write 'omit' as an item of its own"),
        ("    transform:\n      - pick: [a]\n        omit: [/b]", 6, 9, "transform: one rule per list item"),
        ("    transform:\n      - pick: [a]\n        Pick: [b]", 6, 9, "transform: unknown rule 'Pick'"),
        ("    transform:\n      - select", 5, 9, #"transform: a rule is one of select, pick, omit, redact with its value, like 'pick: [name]', got the string "select""#),
        ("    transform:\n      - {}", 5, 9, "transform: a rule is one of select, pick, omit, redact"),
        ("    transform:\n      - omit: [a..b]", 5, 16, "transform.omit: a key may not be empty"),
        ("    transform:\n      - omit: [/a, '']", 5, 20, "transform.omit: a pattern may not be empty"),
        ("    transform:\n      - redact: [db.]", 5, 18, "transform.redact: a key may not be empty"),
        ("    transform:\n      - redact: [\"**\"]", 5, 18, "transform.redact: '**' must be followed by a key"),
        ("    transform:\n      - redact: [a, \"b\\\\c\"]", 5, 21, #"transform.redact: '\' must be followed by '.', '*' or '\'"#),
        ("    transform:\n      - redact: [/a~]", 5, 18, "transform.redact: '~' must be followed by '0' or '1' in a JSON pointer"),
        ("    transform:\n      - redact: [true]", 5, 18, "transform.redact: expected a string, got the boolean true"),
        ("    transform:\n      - redact:\n          - /ok\n          - a.*.b**", 7, 13, "transform.redact: '**' stands alone between dots"),
    ])
    func rejectsWithLineAndColumn(option: String, line: Int, column: Int, message: String) {
        do {
            _ = try stream(option + "\n")
            Issue.record("accepted: \(option)")
        } catch {
            #expect(error.mark == SourceMark(line: line, column: column), "\(error)")
            #expect(error.message.hasPrefix(message), "\(error)")
        }
    }

    /// What `sse-mirror check` prints: FILE:LINE:COLUMN, the line and a caret.
    @Test func errorPrintsFileLineAndColumn() {
        do {
            _ = try stream("    transform:\n      - redact: [/db/password, \"**.token.\"]\n")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".hasPrefix("mirror.yaml:5:32: error: transform.redact: a key may not be empty"), "\(error)")
            #expect("\(error)".contains("^"))
        }
    }
}

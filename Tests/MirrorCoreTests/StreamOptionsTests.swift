import MirrorCore
import Testing
import MirrorDocument

/// The per-stream keys `format` (and its default), `emit`, `max_size`, `array_key`, `patch_ratio`
/// and `history`, each checked at its value's line and column.
@Suite("stream options")
struct StreamOptionsTests {
    /// One stream with `options` added to its mapping, so every value starts at line 4.
    func stream(_ options: String) throws(ConfigError) -> StreamConfig {
        try load("streams:\n  - path: /a\n    watch: a.json\n" + options)
            .streams[0]
    }

    @Test func defaults() throws {
        let config = try stream("")
        #expect(config.format == .json)
        #expect(config.emit == .snapshot)
        #expect(config.maxSize == 64 << 20)
        #expect(config.arrayKey == nil)
        #expect(config.patchRatio == 1.0)
        #expect(config.history == HistoryLimits(events: 256, bytes: 4 << 20))
    }

    @Test(arguments: [
        ("a.json", DocumentFormat.json), ("a.yaml", .yaml), ("conf/a.yml", .yaml), ("A.YML", .yaml), ("a.txt", .json),
        ("yaml", .json), (".yaml", .json), ("dir.yaml/file", .json), ("a.yaml.bak", .json),
    ])
    func formatByExtension(watch: String, format: DocumentFormat) throws {
        #expect(try load("streams: [{path: /a, watch: '\(watch)'}]").streams[0].format == format)
    }

    @Test func explicitFormatWins() throws {
        #expect(try load("streams: [{path: /a, watch: a.yaml, format: text}]").streams[0].format == .text)
        #expect(try load("streams: [{path: /a, watch: a.conf, format: yaml}]").streams[0].format == .yaml)
    }

    @Test func everyKey() throws {
        let config = try stream(
            """
                emit: merge-patch
                max_size: 512KiB
                array_key: id
                patch_ratio: 0.5
                history: {events: 10, bytes: 1MB}
            """
        )
        #expect(config.emit == .mergePatch)
        #expect(config.maxSize == 512 * 1024)
        #expect(config.arrayKey == "id")
        #expect(config.patchRatio == 0.5)
        #expect(config.history == HistoryLimits(events: 10, bytes: 1_000_000))
        #expect(try stream("    emit: patch\n").emit == .patch)
        #expect(try stream("    patch_ratio: 2\n").patchRatio == 2)
        #expect(try stream("    history: {events: 1}\n").history == HistoryLimits(events: 1, bytes: 4 << 20))
        #expect(try stream("    history:\n      bytes: 0\n").history == HistoryLimits(events: 256, bytes: 0))
    }

    @Test(arguments: [
        ("1", 1), ("1048576", 1 << 20), ("10B", 10), ("2KB", 2000), ("2KiB", 2048), ("3MB", 3_000_000), ("64MiB", 64 << 20),
        ("1GB", 1_000_000_000), ("4GiB", 4 << 30), ("\"100\"", 100),
    ])
    func sizes(text: String, bytes: Int) throws {
        #expect(try stream("    max_size: \(text)\n").maxSize == bytes)
    }

    @Test(arguments: [
        ("emit: diff", 4, 11, "emit: unknown value 'diff' (allowed: snapshot, patch, merge-patch)"),
        ("emit: [patch]", 4, 11, "emit: expected a string, got a sequence"),
        ("max_size: 0", 4, 15, "max_size: 0 is too small; at least 1 byte"),
        ("max_size: 5GiB", 4, 15, "max_size: 5GiB is too large; at most 4GiB"),
        ("max_size: 4294967297", 4, 15, "max_size: 4294967297 is too large; at most 4GiB"),
        ("max_size: 99999999999999999999GiB", 4, 15, "max_size: 99999999999999999999GiB is too large; at most 4GiB"),
        ("max_size: 64mb", 4, 15, "max_size: unknown size unit in \"64mb\"; use B, KB, MB, GB, KiB, MiB or GiB"),
        ("max_size: 64 MiB", 4, 15, "max_size: unknown size unit in \"64 MiB\"; use B, KB, MB, GB, KiB, MiB or GiB"),
        ("max_size: -1", 4, 15, "max_size: -1 is too small; at least 1 byte"),
        ("max_size: 1.5MiB", 4, 15, "max_size: unknown size unit in \"1.5MiB\"; use B, KB, MB, GB, KiB, MiB or GiB"),
        ("max_size: MiB", 4, 15, "max_size: expected a size like 64MiB or 512KiB, got \"MiB\""),
        ("max_size: true", 4, 15, "max_size: expected a size like 64MiB or 512KiB, got the boolean true"),
        ("array_key: ''", 4, 16, "array_key: the member name may not be empty"),
        ("array_key: 1", 4, 16, "array_key: expected a string, got the integer 1"),
        ("patch_ratio: 0", 4, 18, "patch_ratio: must be a number greater than 0"),
        ("patch_ratio: -0.5", 4, 18, "patch_ratio: must be a number greater than 0"),
        ("patch_ratio: .inf", 4, 18, "patch_ratio: must be a number greater than 0"),
        ("patch_ratio: .nan", 4, 18, "patch_ratio: must be a number greater than 0"),
        ("patch_ratio: half", 4, 18, "patch_ratio: expected a number like 1.0, got the string \"half\""),
        ("history: 256", 4, 14, "history must be a mapping of keys to values, got the integer 256"),
        ("history: {events: 0}", 4, 23, "history.events: must be from 1 to 1000000"),
        ("history: {events: 1000001}", 4, 23, "history.events: must be from 1 to 1000000"),
        ("history: {events: 2.5}", 4, 23, "history.events: expected a whole number of events, got the number 2.5"),
        ("history: {bytes: 5GiB}", 4, 22, "history.bytes: 5GiB is too large; at most 4GiB"),
        ("history: {bytes: -1}", 4, 22, "history.bytes: -1 is too small; at least 0 bytes"),
        ("history: {event: 5}", 4, 15, "unknown key 'event' in history (allowed: events, bytes)"),
        ("max-size: 1", 4, 5, "unknown key 'max-size' in a stream"),
        ("format: yml", 4, 13, "format: unknown format 'yml' (supported: json, yaml, text, lines, manifest)"),
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

    @Test func sizeTextDescribesLimits() throws {
        #expect(try SizeText.parse("4GiB") == 4 << 30)
        #expect(throws: ValueError("66KB is too large; at most 64KiB")) { try SizeText.parse("66KB", maximum: 64 << 10) }
    }
}

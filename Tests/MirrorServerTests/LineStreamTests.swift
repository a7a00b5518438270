import Glibc
import MirrorCore
import MirrorTestSupport
import Testing
import MirrorDocument

/// Line streams through real files, real inotify and a real server: a writer keeps appending
/// numbered lines while the log is rotated or truncated, and what a client receives is compared
/// with what was written.
@Suite("line streams", .timeLimit(.minutes(1)))
struct LineStreamTests {
    /// The lines a client holds after these events: `changed` gives the first lines (a JSON array
    /// of strings), each `appended` adds its lines.
    static func lines(_ events: [ReceivedEvent]) throws -> [String] {
        var lines: [String] = []
        for event in events where event.name == "changed" || event.name == "appended" {
            guard case .array(let elements) = try JSONParser.parse(Array(event.data.utf8)) else {
                Issue.record("not an array: \(event)")
                continue
            }
            if event.name == "changed" { lines = [] }
            for element in elements {
                guard case .string(let text) = element else {
                    Issue.record("not a string: \(element)")
                    continue
                }
                lines.append(text)
            }
        }
        return lines
    }

    /// Waits until the client holds `last` as its last line, then returns every line it holds.
    /// Each poll parses only the newest event's JSON: the whole list once, at the end.
    static func receive(_ client: TestClient, through last: String, timeout: Duration = .seconds(10)) async throws -> [String] {
        let events = try await client.waitFor("line '\(last)'", timeout: timeout) { events in
            guard let newest = events.last(where: { $0.name == "changed" || $0.name == "appended" }),
                case .array(let elements)? = try? JSONParser.parse(Array(newest.data.utf8))
            else { return false }
            return elements.last == .string(last)
        }
        return try Self.lines(events)
    }

    /// Compares long line lists without handing both to `#expect`, whose report of a difference
    /// between two 200,000-line arrays takes minutes: names the first line that differs instead.
    static func expectSame(_ received: [String], _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        guard received != expected else { return }
        let first = received.indices.first { $0 >= expected.count || received[$0] != expected[$0] } ?? received.count
        let around = { (lines: [String]) in Array(lines[max(0, first - 2)..<min(lines.count, first + 3)]) }
        Issue.record(
            "received \(received.count) lines, expected \(expected.count); they differ first at line \(first): received \(around(received)), expected \(around(expected))",
            sourceLocation: sourceLocation
        )
    }

    static func number(_ line: String) -> Int? {
        let parts = line.split(separator: " ")
        return parts.count >= 2 && parts[0] == "line" ? Int(parts[1]) : nil
    }

    /// The lines of a writer that the client has, checked for a truncation that cannot be exact:
    /// no line twice, in order, and what is missing is one run of lines (the truncation point).
    static func expectNoRepeatAndOneGap(_ received: [String], written: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let numbers = received.compactMap(number)
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count, "lines repeated or out of order", sourceLocation: sourceLocation)
        let missing = Set(written.compactMap(number)).subtracting(numbers).sorted()
        if let first = missing.first, let last = missing.last {
            #expect(last - first + 1 == missing.count, "lines missing in more than one place: \(missing)", sourceLocation: sourceLocation)
        }
        for line in received where number(line) != nil {
            #expect(written.contains(line), "a line never written: \(line)", sourceLocation: sourceLocation)
        }
    }

    static func truncate(_ path: String) {
        close(open(path, O_WRONLY | O_TRUNC | O_CLOEXEC))
    }

    static func create(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        #expect(fd >= 0, "cannot create \(path): \(String(cString: strerror(errno)))")
        if fd >= 0 { close(fd) }
    }

    // MARK: - Rotation

    @Test func renameAndCreateWithALateWriterStreamsEveryLineOnce() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": "before 1\nbefore 2\n"])) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            let path = fixture.directory.url("app.log")
            let writer = LogWriter(path: path)
            writer.start()
            try await Task.sleep(for: .milliseconds(300))
            // logrotate `create`: rename, create the new file; the writer reopens 200 ms later, after
            // flushing megabytes into the old file (so its lines are still being read when the new
            // file's first lines come).
            try fixture.directory.rename("app.log", "app.log.1")
            Self.create(path)
            try await Task.sleep(for: .milliseconds(200))
            await offPool { writer.burst(200_000) }  // megabytes built: off the test pool
            writer.reopen()
            try await Task.sleep(for: .milliseconds(400))
            let written = await writer.stop()
            let received = try await Self.receive(client, through: try #require(written.last))
            Self.expectSame(received, ["before 1", "before 2"] + written)
            #expect(!client.events.contains { $0.name == "truncated" })
        }
    }

    @Test func aNewFileTruncatedSoonAfterTheRotationLosesNothing() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": ""])) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            let path = fixture.directory.url("app.log")
            let writer = LogWriter(path: path)
            writer.start()
            try await Task.sleep(for: .milliseconds(200))
            try fixture.directory.rename("app.log", "app.log.1")
            Self.create(path)
            try await Task.sleep(for: .milliseconds(200))
            writer.reopen()
            // The new file's lines are held back while the old one drains; the new file is truncated
            // meanwhile (the writer pauses so no line falls between the last read and the truncate).
            try await Task.sleep(for: .milliseconds(200))
            writer.pause(true)
            try await Task.sleep(for: .milliseconds(100))
            Self.truncate(path)
            writer.pause(false)
            try await Task.sleep(for: .milliseconds(300))
            let written = await writer.stop()
            let received = try await Self.receive(client, through: try #require(written.last))
            Self.expectSame(received, written)
            let names = client.events.map(\.name)
            #expect(names.filter { $0 == "truncated" }.count == 1)
        }
    }

    @Test func deleteAndRecreateStreamsEveryLineOnce() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": ""])) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            let path = fixture.directory.url("app.log")
            let writer = LogWriter(path: path)
            writer.start()
            try await Task.sleep(for: .milliseconds(200))
            try fixture.directory.unlink("app.log")
            // The writer still writes to the deleted file for a while: the name is briefly missing.
            try await Task.sleep(for: .milliseconds(200))
            Self.create(path)
            try await Task.sleep(for: .milliseconds(150))
            writer.reopen()
            try await Task.sleep(for: .milliseconds(300))
            let written = await writer.stop()
            let received = try await Self.receive(client, through: try #require(written.last))
            Self.expectSame(received, written)
        }
    }

    // MARK: - Truncation

    @Test func copytruncateRepeatsNoLine() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": ""])) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            let path = fixture.directory.url("app.log")
            let writer = LogWriter(path: path)
            writer.start()
            try await Task.sleep(for: .milliseconds(300))
            // logrotate `copytruncate`: copy the log, then truncate it in place, the writer going on.
            let copy = try fixture.directory.read("app.log")
            try fixture.directory.write("app.log.1", copy)
            Self.truncate(path)
            try await Task.sleep(for: .milliseconds(300))
            let written = await writer.stop()
            let received = try await Self.receive(client, through: try #require(written.last))
            Self.expectNoRepeatAndOneGap(received, written: written)
            let truncations = client.events.filter { $0.name == "truncated" }
            #expect(truncations.count == 1)
            #expect(truncations.first?.data.hasPrefix(#"{"path":"app.log","size":"#) == true)
        }
    }

    @Test func truncationInPlaceRestartsAtTheStart() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": "old 1\nold 2\n"])) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            let path = fixture.directory.url("app.log")
            let writer = LogWriter(path: path)
            writer.start()
            try await Task.sleep(for: .milliseconds(200))
            Self.truncate(path)  // `: > app.log`
            try await Task.sleep(for: .milliseconds(300))
            let written = await writer.stop()
            let received = try await Self.receive(client, through: try #require(written.last))
            #expect(Array(received.prefix(2)) == ["old 1", "old 2"])
            Self.expectNoRepeatAndOneGap(Array(received.dropFirst(2)), written: written)
            #expect(client.events.filter { $0.name == "truncated" }.count == 1)
        }
    }

    // MARK: - Start and joining

    @Test func aMissingLogIsAnEmptyStateThenItsLinesAreAppended() async throws {
        try await withServer(MirrorFixture.startLines()) { fixture in
            let client = try await fixture.subscribe("/log")
            let first = try await client.waitFor("the first event") { $0.count == 1 }
            #expect(first[0].name == "changed" && first[0].data == "[]")
            let writer = LogWriter(path: fixture.directory.url("app.log"))
            writer.start()
            try await Task.sleep(for: .milliseconds(300))
            let written = await writer.stop()
            let received = try await Self.receive(client, through: try #require(written.last))
            Self.expectSame(received, written)
            #expect(client.events.dropFirst().allSatisfy { $0.name == "appended" })
        }
    }

    @Test func aLateJoinerGetsTheLastLinesThenFollows() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": (1...50).map { "early \($0)\n" }.joined()], lines: LineOptions(tail: 5))) { fixture in
            let first = try await fixture.subscribe("/log")
            let start = try await first.waitFor("the first lines") { $0.count == 1 }
            #expect(try Self.lines(start) == (46...50).map { "early \($0)" })
            try fixture.directory.append("app.log", "more 1\nmore 2\nmore 3\n")
            _ = try await Self.receive(first, through: "more 3")
            let late = try await fixture.subscribe("/log")
            let joined = try await late.waitFor("the state") { $0.count == 1 }
            #expect(joined[0].name == "changed")
            #expect(try Self.lines(joined) == ["early 49", "early 50", "more 1", "more 2", "more 3"])
            try fixture.directory.append("app.log", "after\n")
            let followed = try await Self.receive(late, through: "after")
            #expect(followed.suffix(2) == ["more 3", "after"])
        }
    }

    @Test func aResumingClientGetsExactlyTheMissedLines() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": "a\n"])) { fixture in
            let first = try await fixture.subscribe("/log")
            try await first.waitFor("the first lines") { $0.count == 1 }
            try fixture.directory.append("app.log", "b\n")
            let seen = try await first.waitFor("b") { $0.count == 2 }
            await first.close()
            let lastID = try #require(seen.last?.id)
            for text in ["c", "d", "e"] {
                try fixture.directory.append("app.log", text + "\n")
                try await eventually { fixture.hub("/log").current().state?.id?.version == UInt64(seen.count + ["c", "d", "e"].firstIndex(of: text)! + 1) }
            }
            let resumed = try await fixture.subscribe("/log", lastEventID: lastID)
            let missed = try await resumed.waitFor("the missed lines") { $0.count == 3 }
            #expect(missed.map(\.name) == ["appended", "appended", "appended"])
            #expect(missed.map(\.data) == [#"["c"]"#, #"["d"]"#, #"["e"]"#])
        }
    }

    // MARK: - What a line becomes

    @Test func grepAndExcludeChooseTheLines() async throws {
        let options = LineOptions(grep: [try LinePattern("ERROR|WARN")], exclude: [try LinePattern("healthz")])
        try await withServer(MirrorFixture.startLines(files: ["app.log": "INFO start\nERROR one\nWARN healthz\n"], lines: options)) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            try fixture.directory.append("app.log", "INFO x\nWARN two\nERROR healthz down\nERROR three\n")
            let received = try await Self.receive(client, through: "ERROR three")
            #expect(received == ["ERROR one", "WARN two", "ERROR three"])
        }
    }

    @Test func parseJSONTurnsLinesIntoValuesAndKeepsABadLineAsAString() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": ""], lines: LineOptions(parseJSON: true))) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            try fixture.directory.append("app.log", "{\"level\":\"info\",\"n\":1}\n{broken\n[1,2]\n")
            let events = try await client.waitFor("the lines") { events in events.contains { $0.name == "appended" && $0.data.contains("[1,2]") } }
            let data = events.filter { $0.name == "appended" }.map(\.data).joined(separator: "|")
            #expect(data == #"[{"level":"info","n":1},"{broken",[1,2]]"#)
        }
    }

    @Test func transformRulesApplyToEachParsedLineAndWithholdWhatTheyCannotSee() async throws {
        let transform = try Transform([
            .omit([PathPattern("/debug")]),
            .redact([PathPattern("**.token")]),
        ])
        try await withServer(MirrorFixture.startLines(files: ["app.log": ""], lines: LineOptions(parseJSON: true), transform: transform)) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            try fixture.directory.append(
                "app.log",
                "{\"user\":{\"token\":\"s3cr3t-1\"},\"debug\":1}\n{\"token\":\"s3cr3t-2\"\n\"done\"\n"
            )
            let events = try await client.waitFor("the lines") { events in events.contains { $0.name == "appended" && $0.data.contains("done") } }
            let data = events.filter { $0.name == "appended" }.map(\.data).joined(separator: "|")
            #expect(data == #"[{"user":{"token":"[redacted]"}},"[withheld: not JSON the transform applies to]","done"]"#)
            #expect(!events.contains { $0.data.contains("s3cr3t") })
        }
    }

    @Test func crOnlyLineEndsAreLineEnds() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": "one\rtwo\r"])) { fixture in
            let client = try await fixture.subscribe("/log")
            try await client.waitFor("the first lines") { $0.count == 1 }
            try fixture.directory.append("app.log", "\nthree\r\nfour\r")
            let received = try await Self.receive(client, through: "four")
            #expect(received == ["one", "two", "three", "four"])
        }
    }

    @Test func nulAndInvalidUTF8ArriveAsOneStringAndKeepTheFraming() async throws {
        try await withServer(MirrorFixture.startLines(files: ["app.log": "start\n"])) { fixture in
            let client = try await fixture.subscribe("/log")
            let fd = open(fixture.directory.url("app.log"), O_WRONLY | O_APPEND | O_CLOEXEC)
            let bytes: [UInt8] = Array("a".utf8) + [0x00, 0xFF, 0xC3] + Array("b\u{2028}\"\\".utf8) + [0x0A] + Array("next\n".utf8)
            _ = write(fd, bytes, bytes.count)
            close(fd)
            let received = try await Self.receive(client, through: "next")
            #expect(received == ["start", "a\u{0}\u{FFFD}\u{FFFD}b\u{2028}\"\\", "next"])
            #expect(client.events.allSatisfy { !$0.data.contains("\n") })
        }
    }

    @Test func aHugeLogStartsAtOnceWithItsLastLines() async throws {
        let clock = ContinuousClock()
        var elapsed: Duration = .zero
        try await withServer(MirrorFixture.startLines(lines: LineOptions(tail: 3)) { directory in
            // Text at the start (else the hole's NULs make it binary), a 64 GiB hole, lines at the
            // end: reading it through would take minutes, so a start within seconds read only the end.
            let fd = open(directory.url("app.log"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            let head = Array((1...1000).map { "head \($0)\n" }.joined().utf8)
            _ = write(fd, head, head.count)
            ftruncate(fd, 1 << 36)
            let tail = Array("\nlast 1\nlast 2\nlast 3\nlast 4\n".utf8)
            _ = pwrite(fd, tail, tail.count, 1 << 36)
            close(fd)
        }) { fixture in
            let started = clock.now
            let client = try await fixture.subscribe("/log")
            let first = try await client.waitFor("the last lines") { $0.count == 1 }
            elapsed = started.duration(to: clock.now)
            #expect(try Self.lines(first) == ["last 2", "last 3", "last 4"])
            // Seconds, not the one a quiet machine takes: the whole suite runs at once on two cores.
            #expect(elapsed < .seconds(3))
        }
    }

    @Test func aBinaryLogIsPublishedAsMetadata() async throws {
        let content = "\u{0}\u{1}binary\u{0}"
        try await withServer(MirrorFixture.startLines(files: ["app.log": content])) { fixture in
            let client = try await fixture.subscribe("/log")
            let first = try await client.waitFor("the metadata") { $0.count == 1 }
            let digest = ContentDigest.hex(of: Array(content.utf8))
            #expect(first[0].name == "changed")
            #expect(first[0].data == #"{"binary":true,"size":\#(content.utf8.count),"sha256":"\#(digest)"}"#)
        }
    }
}

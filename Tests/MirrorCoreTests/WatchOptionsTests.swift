import MirrorCore
import Testing
import MirrorDocument

/// `watch_mode` and `poll_interval`, at the top level and per stream, each checked at its value's
/// line and column.
@Suite("watch options")
struct WatchOptionsTests {
    @Test func defaultsToInotifyPolledEverySecondWhereItCannotServe() throws {
        let config = try load("streams: [{path: /a, watch: a.json}]")
        #expect(config.streams[0].watching == WatchPolicy(mode: .inotify, pollInterval: .seconds(1)))
    }

    @Test func perStreamAndGlobal() throws {
        let config = try load(
            """
            watch_mode: poll
            poll_interval: 2s
            streams:
              - {path: /a, watch: a.json}
              - {path: /b, watch: b.json, watch_mode: inotify}
              - {path: /c, watch: c.log, format: lines, poll_interval: 250ms}
            """
        )
        #expect(config.streams.map(\.watching) == [
            WatchPolicy(mode: .poll, pollInterval: .seconds(2)),
            WatchPolicy(mode: .inotify, pollInterval: .seconds(2)),
            WatchPolicy(mode: .poll, pollInterval: .milliseconds(250)),
        ])
    }

    @Test(arguments: [
        ("streams:\n  - {path: /a, watch: a, watch_mode: fanotify}\n", 2, 38, "watch_mode: unknown value 'fanotify' (allowed: inotify, poll)"),
        ("watch_mode: [poll]\nstreams: []\n", 1, 13, "watch_mode: expected a string, got a sequence"),
        ("streams:\n  - {path: /a, watch: a, poll_interval: 0}\n", 2, 41, "poll_interval: must be at least 10ms"),
        ("streams:\n  - {path: /a, watch: a, poll_interval: 5ms}\n", 2, 41, "poll_interval: must be at least 10ms"),
        ("streams:\n  - {path: /a, watch: a, poll_interval: 2}\n", 2, 41, "poll_interval: a duration needs a unit"),
        ("poll_interval: 2h\nstreams: []\n", 1, 16, "poll_interval: 2h is too long; at most 1h"),
        ("poll_interval: soon\nstreams: []\n", 1, 16, "poll_interval: expected a duration like 15s or 500ms"),
        ("streams:\n  - {path: /a, watch: a/, watch_mode: poll}\n", 2, 27, "watch_mode: only for a file or a line stream"),
    ])
    func rejectsWithLineAndColumn(text: String, line: Int, column: Int, message: String) {
        do {
            _ = try load(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.mark == SourceMark(line: line, column: column), "\(error)")
            #expect(error.message.hasPrefix(message), "\(error)")
        }
    }
}

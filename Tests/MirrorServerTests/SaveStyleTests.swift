import Foundation
import Glibc
import MirrorTestSupport
import Testing

/// Every way a file gets saved must end with exactly its final content published (issue §4),
/// through real inotify in a real folder, seen by a real socket client. Reconciliation is off
/// in these tests, so each passes only through the watcher's handling of that style.
@Suite("save styles", .timeLimit(.minutes(1)))
struct SaveStyleTests {
    static let first = #"{"version": 1, "name": "first"}"#
    static let second = #"{"version": 2, "name": "second", "list": [1, 2.50, 3e2]}"#
    static let secondMinified = #"{"version":2,"name":"second","list":[1,2.50,3e2]}"#

    /// Starts a mirror on `app.json`, waits for the first document, runs `save`, and returns every event.
    func mirror(
        files: [String: String] = ["app.json": first],
        prepare: (TemporaryDirectory) throws -> Void = { _ in },
        expectFinal final: String = secondMinified,
        _ save: (TemporaryDirectory) async throws -> Void
    ) async throws -> [ReceivedEvent] {
        return try await withServer(MirrorFixture.start(files: files, prepare: prepare)) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the first event") { !$0.isEmpty }
            try await save(fixture.directory)
            let events = try await client.waitFor("the final content") { $0.last?.name == "changed" && $0.last?.data == final }
            // Nothing else trails in after the final state.
            try await Task.sleep(for: .milliseconds(150))
            #expect(client.events == events)
            await client.close()
            return events
        }
    }

    /// `open(O_TRUNC)`, write half, pause longer than the debounce, write the rest, close. The half
    /// is unparsable: it must not be published, and no `invalid` either, since the writer was not done.
    @Test func inPlaceTruncateAndWrite() async throws {
        let events = try await mirror { directory in
            let half = Self.second.utf8.count / 2
            // The writer pauses on a thread of its own, not on one of the test pool.
            try await offPool {
                try directory.writeInPlace(
                    "app.json",
                    [String(Self.second.prefix(half)), String(Self.second.dropFirst(half))],
                    pause: .milliseconds(600)
                )
            }
        }
        #expect(events.map(\.name) == ["changed", "changed"])
    }

    /// Write a temporary file and rename it over the target (`os.replace`, most editors' atomic save).
    @Test func renameOverTheFile() async throws {
        let events = try await mirror { directory in
            try directory.write("app.json.tmp", Self.second)
            try directory.rename("app.json.tmp", "app.json")
        }
        #expect(events.map(\.name) == ["changed", "changed"])
        // Renamed twice more: a watch on the file's first inode would have missed these.
        _ = try await mirror { directory in
            for version in 3...4 {
                try directory.write("next.tmp", #"{"version": \#(version)}"#)
                try directory.rename("next.tmp", "app.json")
                try await Task.sleep(for: .milliseconds(100))
            }
            try directory.write("next.tmp", Self.second)
            try directory.rename("next.tmp", "app.json")
        }
    }

    /// The real `sed -i`, which writes a temporary file in the folder and renames it over the target.
    @Test func sedInPlace() async throws {
        let events = try await mirror(expectFinal: #"{"version":1,"name":"edited"}"#) { directory in
            let sed = Process()
            sed.executableURL = URL(fileURLWithPath: "/bin/sed")
            sed.arguments = ["-i", "s/first/edited/", directory.url("app.json")]
            try sed.run()
            #expect(await sed.exited() == 0)
        }
        #expect(events.map(\.name) == ["changed", "changed"])
    }

    /// vim's default save (backupcopy=auto): rename the file to `app.json~`, write a new `app.json`,
    /// delete the backup. The name vanishes for a moment: no `removed` may be published.
    @Test func vimSave() async throws {
        let events = try await mirror { directory in
            // On a thread of its own, whose pause is exact: a Task.sleep can oversleep by far on a
            // busy test pool, and a usleep there would hold one of its threads.
            try await offPool {
                try directory.rename("app.json", "app.json~")
                usleep(5_000)
                try directory.write("app.json", Self.second)
                try directory.unlink("app.json~")
            }
        }
        #expect(events.map(\.name) == ["changed", "changed"])
    }

    /// JetBrains safe-write: write `app.json___jb_tmp___`, rename the file to `app.json___jb_old___`,
    /// rename the temporary one to `app.json`, delete the old one.
    @Test func jetBrainsSafeWrite() async throws {
        let events = try await mirror { directory in
            // On a thread of its own, as in vimSave.
            try await offPool {
                try directory.write("app.json___jb_tmp___", Self.second)
                try directory.rename("app.json", "app.json___jb_old___")
                // The steps are separate system calls; the watcher may well see them in separate reads.
                usleep(5_000)
                try directory.rename("app.json___jb_tmp___", "app.json")
                try directory.unlink("app.json___jb_old___")
            }
        }
        #expect(events.map(\.name) == ["changed", "changed"])
    }

    /// A Kubernetes ConfigMap volume: `app.json → ..data/app.json`, `..data → ..<timestamp>`, and an
    /// update swaps `..data` by renaming `..data_tmp` over it. No event ever names `app.json`.
    @Test func kubernetesConfigMap() async throws {
        let events = try await mirror(
            files: [:],
            prepare: { directory in
                try directory.mkdir("..2026_11_25_01")
                try directory.write("..2026_11_25_01/app.json", Self.first)
                try directory.symlink("..data", to: "..2026_11_25_01")
                try directory.symlink("app.json", to: "..data/app.json")
            }
        ) { directory in
            try directory.mkdir("..2026_11_25_02")
            try directory.write("..2026_11_25_02/app.json", Self.second)
            try directory.symlink("..data_tmp", to: "..2026_11_25_02")
            try directory.rename("..data_tmp", "..data")
            // The kubelet then deletes the old folder, whose events would reveal the change by
            // themselves; it stays here, so the swap alone has to be noticed.
        }
        #expect(events.map(\.name) == ["changed", "changed"])
    }

    /// The file is replaced by a symlink into another folder (`ln -sf`), and the link's target is
    /// then edited in place: the new folder must be watched from the moment the link appears.
    @Test func replacedBySymlinkThenTargetEdited() async throws {
        let events = try await mirror { directory in
            try directory.mkdir("elsewhere")
            try directory.write("elsewhere/real.json", #"{"version": 3}"#)
            try directory.symlink("app.json.tmp", to: "elsewhere/real.json")
            try directory.rename("app.json.tmp", "app.json")
            try await Task.sleep(for: .milliseconds(300))
            try directory.write("elsewhere/real.json", Self.second)
        }
        #expect(events.map(\.data) == [#"{"version":1,"name":"first"}"#, #"{"version":3}"#, Self.secondMinified])
    }

    /// A file missing at start is `removed` first, and mirrored once it appears.
    @Test func missingAtStartAppearsLater() async throws {
        let events = try await mirror(files: [:]) { directory in
            try directory.write("app.json", Self.second)
        }
        #expect(events.map(\.name) == ["removed", "changed"])
        #expect(events[0].data == #"{"path":"app.json"}"#)
    }

    /// A file whose folder does not exist yet: the nearest existing ancestor is watched until it does.
    @Test func missingFolderAppearsLater() async throws {
        try await withServer(MirrorFixture.start(streams: ["/config": "sub/dir/app.json"])) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("removed") { $0.map(\.name) == ["removed"] }
            try fixture.directory.mkdir("sub/dir")
            try fixture.directory.write("sub/dir/app.json", Self.second)
            try await client.waitFor("the new file") { $0.last?.data == Self.secondMinified }
            await client.close()
        }
    }

    /// Deleted → `removed` with a new id; recreated → `changed`.
    @Test func deletedAndRecreated() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.first])) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("first") { $0.count == 1 }
            try fixture.directory.unlink("app.json")
            let removed = try await client.waitFor("removed") { $0.count == 2 }
            #expect(removed[1].name == "removed")
            #expect(removed[1].id != nil && removed[1].id != removed[0].id)
            try fixture.directory.write("app.json", Self.second)
            let events = try await client.waitFor("recreated") { $0.count == 3 }
            #expect(events[2] == ReceivedEvent(name: "changed", id: events[2].id, data: Self.secondMinified))
            // A client that connects now gets the current state directly.
            let late = try await fixture.subscribe()
            try await late.waitFor("late snapshot") { $0.count == 1 }
            #expect(late.events == [events[2]])
            await client.close()
            await late.close()
        }
    }

    /// A file that is still unparsable after the writer closed it: `invalid` with a place and a
    /// message, never the file's text; the last good document stays published.
    @Test func invalidKeepsTheLastGoodDocument() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": Self.first])) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("first") { $0.count == 1 }
            try fixture.directory.write("app.json", "{\"secret\": \"hunter2\",\n  \"broken\": }")
            let events = try await client.waitFor("invalid") { $0.count == 2 }
            #expect(events[1].name == "invalid")
            #expect(events[1].id == nil)
            #expect(events[1].data == #"{"line":2,"column":13,"message":"unexpected '}'; a value was expected"}"#)
            #expect(!client.text.contains("hunter2"))
            let late = try await fixture.subscribe()
            try await late.waitFor("snapshot") { $0.count == 2 }
            #expect(late.events == [events[0], events[1]])
            try fixture.directory.write("app.json", Self.second)
            try await client.waitFor("recovery") { $0.count == 3 && $0[2].data == Self.secondMinified }
            await client.close()
            await late.close()
        }
    }
}

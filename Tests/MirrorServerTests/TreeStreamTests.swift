import Foundation
import Glibc
import MirrorCore
import MirrorTestSupport
import Testing
import MirrorDocument

/// Directory streams through real folders, real inotify and a real server: the manifest a client
/// holds (following every patch from its first `changed`) and the one the server answers must both
/// equal `find -type f` + `sha256sum` of the tree after creates, moves and deletes.
@Suite("directory streams", .timeLimit(.minutes(2)))
struct TreeStreamTests {
    static let wait: Duration = .seconds(30)

    /// Waits until both the server's document and the follower's copy equal the tree's truth.
    ///
    /// The truth is taken by `find` and `sha256sum` on a thread of their own (waiting for them
    /// would hold a thread of the test pool), once at the start and again only while the server
    /// and the follower agree on something else, at most once a second: the tree holds still
    /// while a test waits, and taking it every 50 ms in a dozen tests at once loaded the machine
    /// more than the servers did. The follower's copy is rebuilt only when events came.
    static func expectConverges(
        _ fixture: MirrorFixture, _ client: TestClient, root: String, hash: Bool = true,
        matching: @escaping @Sendable (String) -> Bool = { _ in true },
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let takeTruth = { try await offPool { try TreeTruth.manifest(root, hash: hash, matching: matching) } }
        var truth = try await takeTruth()
        var taken = ContinuousClock.now
        var served: JSONValue?
        var followed: JSONValue?
        var followedEvents = -1
        let converged = try await poll(timeout: wait, every: .milliseconds(50)) {
            served = fixture.treeDocument()
            let events = client.events
            if events.count != followedEvents {
                followed = try ResumeTests.follow(events)
                followedEvents = events.count
            }
            if served == truth && followed == truth { return true }
            guard served == followed, ContinuousClock.now - taken >= .seconds(1) else { return false }
            truth = try await takeTruth()
            taken = ContinuousClock.now
            return served == truth && followed == truth
        }
        if converged { return }
        Issue.record("the manifest never matched the tree: truth \(count(truth)) entries, served \(count(served)), followed \(count(followed)); missing from served: \(missing(truth, served).prefix(5))", sourceLocation: sourceLocation)
        throw TimeoutError()
    }

    static func count(_ value: JSONValue?) -> Int {
        if case .object(let object)? = value { return object.count }
        return -1
    }

    static func missing(_ truth: JSONValue, _ other: JSONValue?) -> [String] {
        guard case .object(let expected) = truth else { return [] }
        guard case .object(let got)? = other else { return Array(expected.keys) }
        return expected.keys.filter { got[$0] != expected[$0] }
    }

    /// Writes `count` files; from an async test, through ``fill(_:count:size:)``.
    static func writeFiles(_ folder: String, count: Int, size: Int = 100) throws {
        for n in 0..<count {
            let fd = open(folder + "/file-\(n).bin", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            let bytes = [UInt8]((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) })
            _ = Glibc.write(fd, bytes, bytes.count)
            close(fd)
        }
    }

    /// ``writeFiles(_:count:size:)`` on a thread of its own: hundreds of files written in one go
    /// would hold a thread of the test pool meanwhile.
    static func fill(_ folder: String, count: Int, size: Int = 100) async throws {
        try await offPool { try writeFiles(folder, count: count, size: size) }
    }

    @Test func aFolderOf500FilesMovedInYieldsAll500() async throws {
        try await withServer(MirrorFixture.startTree { try $0.mkdir("art") }) { fixture in
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the empty manifest") { $0.first?.data == "{}" }
            try fixture.directory.mkdir("staging/batch/inner")
            try await Self.fill(fixture.directory.url("staging/batch"), count: 400)
            try await Self.fill(fixture.directory.url("staging/batch/inner"), count: 100)
            try fixture.directory.rename("staging/batch", "art/batch")
            try await Self.expectConverges(fixture, client, root: fixture.directory.url("art"))
            #expect(Self.count(fixture.treeDocument()) == 500)
            // One rename: the 500 entries come as one or a few versions, not 500.
            #expect(client.events.count < 20)
        }
    }

    @Test func aFolderMadeInPlaceAndFilledAtOnceYieldsEveryFile() async throws {
        try await withServer(MirrorFixture.startTree { try $0.mkdir("art") }) { fixture in
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the empty manifest") { $0.first?.data == "{}" }
            // mkdir then write at once: the files land before the new folder's watch can exist, so only
            // watching it before listing it finds them all; nested folders made in one go likewise.
            // (Each folder made and filled in one go on a thread of its own, off the test pool.)
            let directory = fixture.directory
            try await offPool {
                try directory.mkdir("art/new")
                try Self.writeFiles(directory.url("art/new"), count: 500, size: 10)
                try directory.mkdir("art/a/b/c/d")
                try Self.writeFiles(directory.url("art/a/b/c/d"), count: 20, size: 10)
                try Self.writeFiles(directory.url("art/a/b"), count: 5, size: 10)
            }
            try await Self.expectConverges(fixture, client, root: fixture.directory.url("art"))
            #expect(Self.count(fixture.treeDocument()) == 525)
        }
    }

    @Test func movesInOutAndWithinAndDeletes() async throws {
        try await withServer(MirrorFixture.startTree {
            try $0.mkdir("art/keep")
            try $0.mkdir("outside/incoming/deep")
            try $0.write("art/keep/a.txt", "a")
            try $0.write("art/top.bin", "top")
            try $0.write("outside/incoming/x", "x")
            try $0.write("outside/incoming/deep/y", "y")
        }) { fixture in
            let art = fixture.directory.url("art")
            let client = try await fixture.subscribe("/tree")
            try await Self.expectConverges(fixture, client, root: art)
            try fixture.directory.rename("outside/incoming", "art/incoming")  // in
            try await Self.expectConverges(fixture, client, root: art)
            try fixture.directory.rename("art/incoming", "art/keep/renamed")  // within, into a subfolder
            try fixture.directory.rename("art/top.bin", "art/keep/top.bin")  // a file within
            try await Self.expectConverges(fixture, client, root: art)
            try fixture.directory.rename("art/keep", "outside/kept")  // out
            try await Self.expectConverges(fixture, client, root: art)
            #expect(fixture.treeDocument() == [:])
            try fixture.directory.rename("outside/kept", "art/back")  // back in
            try fixture.directory.unlink("art/back/a.txt")
            try fixture.directory.removeTree("art/back/renamed/deep")
            try await Self.expectConverges(fixture, client, root: art)
            #expect(Self.count(fixture.treeDocument()) == 2)
            #expect(client.events.allSatisfy { $0.name == "changed" || $0.name == "patch" })
        }
    }

    @Test func oneChangedFileIsOnePatchAtItsKey() async throws {
        try await withServer(MirrorFixture.startTree {
            try $0.mkdir("art/sub/dir")
            for n in 0..<50 { try $0.write("art/sub/dir/f\(n)", "\(n)") }
            try $0.write("art/we~ird", "~")
        }) { fixture in
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the manifest") { $0.count == 1 }
            try fixture.directory.write("art/sub/dir/f7", "seven")
            let events = try await client.waitFor("a patch") { $0.count >= 2 }
            #expect(events[1].name == "patch")
            let patch = try ResumeTests.parse(events[1].data)
            guard case .array(let operations) = patch else { throw TimeoutError() }
            #expect(operations.count == 1)
            #expect(operations.first.flatMap { JSONPointer(tokens: ["path"]).resolve(in: $0) } == "/sub~1dir~1f7")
            try await Self.expectConverges(fixture, client, root: fixture.directory.url("art"))
        }
    }

    @Test func aGlobTakesOnlyItsMatchesAtAnyDepth() async throws {
        try await withServer(MirrorFixture.startTree(watch: "build/**/*.tar.gz") {
            try $0.mkdir("build/x/y")
            try $0.write("build/root.tar.gz", "r")
            try $0.write("build/x/one.tar.gz", "1")
            try $0.write("build/x/y/two.tar.gz", "2")
            try $0.write("build/x/notes.txt", "n")
            try $0.write("build/x/y/three.tar.gzip", "3")
        }) { fixture in
            let client = try await fixture.subscribe("/tree")
            let matching = { @Sendable (key: String) in key.hasSuffix(".tar.gz") }
            try await Self.expectConverges(fixture, client, root: fixture.directory.url("build"), matching: matching)
            try fixture.directory.mkdir("build/z")
            try fixture.directory.write("build/z/four.tar.gz", "4")
            try fixture.directory.write("build/z/four.tar", "4")
            try await Self.expectConverges(fixture, client, root: fixture.directory.url("build"), matching: matching)
            guard case .object(let document)? = fixture.treeDocument() else { throw TimeoutError() }
            #expect(document.keys.sorted() == ["root.tar.gz", "x/one.tar.gz", "x/y/two.tar.gz", "z/four.tar.gz"])
        }
    }

    @Test func editorTempFilesAndIgnoredGlobsAreLeftOut() async throws {
        try await withServer(MirrorFixture.startTree(extra: "ignore: ['*.log', 'cache/**']") {
            try $0.mkdir("art/cache/deep")
            try $0.mkdir("art/src")
            try $0.write("art/src/kept.txt", "k")
            try $0.write("art/cache/deep/x", "x")
        }) { fixture in
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the manifest") { $0.count == 1 }
            for name in ["a.swp", "b~", "4913", "c___jb_tmp___", ".#d", "e.log", "cache/new", "src/f.log"] {
                try fixture.directory.write("art/" + name, "ignored")
            }
            try fixture.directory.write("art/src/last.txt", "l")
            try await eventually(timeout: Self.wait) {
                guard case .object(let document)? = fixture.treeDocument() else { return false }
                return document.keys.sorted() == ["src/kept.txt", "src/last.txt"]
            }
            guard case .object(let document)? = fixture.treeDocument() else { throw TimeoutError() }
            #expect(document.keys.sorted() == ["src/kept.txt", "src/last.txt"])
        }
    }

    @Test func aRootMissingAtStartIsEmptyThenFilledThenEmptyAgain() async throws {
        try await withServer(MirrorFixture.startTree(watch: "ci/out/artifacts/")) { fixture in
            let root = fixture.directory.url("ci/out/artifacts")
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the empty manifest") { $0.first?.name == "changed" && $0.first?.data == "{}" }
            try fixture.directory.mkdir("ci/out/artifacts/logs")
            try fixture.directory.write("ci/out/artifacts/logs/build.txt", "ok")
            try fixture.directory.write("ci/out/artifacts/app.bin", "bin")
            try await Self.expectConverges(fixture, client, root: root)
            #expect(Self.count(fixture.treeDocument()) == 2)
            try fixture.directory.removeTree("ci/out")
            try await Self.expectConverges(fixture, client, root: root)
            #expect(fixture.treeDocument() == [:])
            try fixture.directory.mkdir("ci/out/artifacts")
            try fixture.directory.write("ci/out/artifacts/again", "again")
            try await Self.expectConverges(fixture, client, root: root)
            #expect(Self.count(fixture.treeDocument()) == 1)
        }
    }

    @Test func aRandomSequenceEndsEqualToFindAndSha256sum() async throws {
        try await withServer(MirrorFixture.startTree { try $0.mkdir("art"); try $0.mkdir("elsewhere") }) { fixture in
            let art = fixture.directory.url("art")
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the empty manifest") { $0.count == 1 }
            var random = SplitMix64(seed: 0x5EED)
            var files: [String] = []
            var folders: [String] = [""]
            var outside = 0
            func fresh(_ prefix: String) -> String { "\(prefix)\(random.next() % 100_000)" }
            for step in 0..<300 {
                let folder = folders[Int(random.next() % UInt64(folders.count))]
                let base = folder.isEmpty ? art : art + "/" + folder
                switch random.next() % 10 {
                case 0, 1, 2:  // create, sometimes big enough to take several writes
                    let name = (folder.isEmpty ? "" : folder + "/") + fresh("f")
                    let size = Int(random.next() % 3 == 0 ? random.next() % 300_000 : random.next() % 2000)
                    try fixture.directory.write("art/" + name, String(repeating: "x\(step)", count: size / 4 + 1))
                    files.append(name)
                case 3 where !files.isEmpty:  // rewrite in place (same size half the time)
                    let name = files[Int(random.next() % UInt64(files.count))]
                    guard FileManager.default.fileExists(atPath: art + "/" + name) else { continue }
                    try fixture.directory.write("art/" + name, "rewritten \(step % 7)")
                case 4 where !files.isEmpty:  // delete
                    let name = files.remove(at: Int(random.next() % UInt64(files.count)))
                    _ = Glibc.unlink(art + "/" + name)
                case 5 where !files.isEmpty:  // rename within, maybe to another folder
                    let name = files.remove(at: Int(random.next() % UInt64(files.count)))
                    let target = (folder.isEmpty ? "" : folder + "/") + fresh("r")
                    if Glibc.rename(art + "/" + name, art + "/" + target) == 0 { files.append(target) }
                case 6:  // new folder with a few files
                    let name = (folder.isEmpty ? "" : folder + "/") + fresh("d")
                    try FileManager.default.createDirectory(atPath: art + "/" + name, withIntermediateDirectories: true)
                    try Self.writeFiles(art + "/" + name, count: Int(random.next() % 12))
                    folders.append(name)
                case 7 where !folder.isEmpty:  // folder moved out
                    outside += 1
                    _ = Glibc.rename(base, fixture.directory.url("elsewhere/\(outside)"))
                    folders.removeAll { $0 == folder || $0.hasPrefix(folder + "/") }
                case 8 where outside > 0:  // a folder moved in
                    let name = (folder.isEmpty ? "" : folder + "/") + fresh("in")
                    if Glibc.rename(fixture.directory.url("elsewhere/\(outside)"), art + "/" + name) == 0 {
                        outside -= 1
                        folders.append(name)
                    }
                case 9 where !folder.isEmpty:  // folder renamed within the tree, or deleted
                    if random.next() % 2 == 0 {
                        try? FileManager.default.removeItem(atPath: base)
                        folders.removeAll { $0 == folder || $0.hasPrefix(folder + "/") }
                    } else {
                        let name = fresh("m")
                        if Glibc.rename(base, art + "/" + name) == 0 {
                            folders.removeAll { $0 == folder || $0.hasPrefix(folder + "/") }
                            folders.append(name)
                        }
                    }
                default:
                    break
                }
                files = files.filter { FileManager.default.fileExists(atPath: art + "/" + $0) }
                if step % 100 == 99 { try await Self.expectConverges(fixture, client, root: art) }
            }
            try await Self.expectConverges(fixture, client, root: art)
            // The JSON GET answers the same document.
            let get = try await fixture.request("GET /tree HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
            try await eventually(timeout: .seconds(10)) { get.isClosed }
            let truth = try await offPool { try TreeTruth.manifest(art) }
            #expect(try JSONParser.parse(Array(get.body.utf8)) == truth)
        }
    }

    @Test func binaryFilesInATextTreeAreMetadata() async throws {
        try await withServer(MirrorFixture.startTree(extra: "format: text") {
            try $0.mkdir("art")
            try $0.write("art/readme.txt", "hello\n")
            try $0.write("art/blob.bin", "PNG\u{0}\u{1}\u{2}")
        }) { fixture in
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the document") { $0.count == 1 }
            let blob = fixture.directory.url("art/blob.bin")
            let digest = String(decoding: try await offPool { try TreeTruth.run("/usr/bin/sha256sum", [blob]) }.prefix(64), as: UTF8.self)
            #expect(fixture.treeDocument() == ["blob.bin": ["binary": true, "size": 6, "sha256": .string(digest)], "readme.txt": "hello\n"])
            try fixture.directory.write("art/broken.json", "x")
            try await eventually(timeout: Self.wait) { Self.count(fixture.treeDocument()) == 3 }
        }
    }

    /// Rules apply to each entry: a content tree's secrets are redacted in every file, a manifest
    /// entry keeps only what `pick` names, and a file a rule cannot apply to is an error entry.
    @Test func transformRulesApplyToEachEntry() async throws {
        try await withServer(MirrorFixture.startTree(extra: "format: json\ntransform: [{omit: [/debug]}, {redact: ['**.password']}]") {
            try $0.mkdir("art")
            try $0.write("art/a.json", #"{"db": {"password": "hunter2-a"}, "debug": 1}"#)
        }) { fixture in
            let client = try await fixture.subscribe("/tree")
            try await client.waitFor("the first state") { $0.first?.name == "changed" }
            try fixture.directory.write("art/b.json", #"{"password": "hunter2-b", "name": "b"}"#)
            try await client.waitFor("b") { $0.contains { $0.data.contains("\"name\"") } }
            #expect(fixture.treeDocument() == [
                "a.json": ["db": ["password": "[redacted]"]],
                "b.json": ["password": "[redacted]", "name": "b"],
            ])
            #expect(!client.text.contains("hunter2"))

            try await withServer(MirrorFixture.startTree(extra: "transform: [{pick: [size]}]") {
                try $0.mkdir("art")
                try $0.write("art/x", "12345")
            }) { manifest in
                let follower = try await manifest.subscribe("/tree")
                try await follower.waitFor("the manifest") { $0.first?.name == "changed" }
                #expect(manifest.treeDocument() == ["x": ["size": 5]])
            }
        }
    }

    @Test func hashFalseLeavesTheDigestOut() async throws {
        try await withServer(MirrorFixture.startTree(extra: "hash: false") {
            try $0.mkdir("art")
            try $0.write("art/a", "a")
        }) { fixture in
            let client = try await fixture.subscribe("/tree")
            try await Self.expectConverges(fixture, client, root: fixture.directory.url("art"), hash: false)
        }
    }
}

/// A binary file in a single-file `format: text` stream.
@Suite("binary text files", .timeLimit(.minutes(1)))
struct BinaryTextFileTests {
    @Test func aBinaryFileInATextStreamIsMetadataNotBrokenText() async throws {
        try await withServer(MirrorFixture.start(files: ["app.txt": "text"], streams: ["/config": "app.txt"], format: .text)) { fixture in
            let client = try await fixture.subscribe()
            try await client.waitFor("the text") { $0.first?.data == #""text""# }
            let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x00, 0x1A, 0xFF]
            try fixture.directory.writeInPlace("app.txt", [String(decoding: [0x41], as: UTF8.self)])
            let fd = open(fixture.directory.url("app.txt.tmp"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            _ = Glibc.write(fd, bytes, bytes.count)
            close(fd)
            try fixture.directory.rename("app.txt.tmp", "app.txt")
            let events = try await client.waitFor("the metadata") { $0.last?.data.contains("binary") == true }
            #expect(try ResumeTests.parse(events.last!.data) == ["binary": true, "size": 7, "sha256": .string(ContentDigest.hex(of: bytes))])
            #expect(!events.contains { $0.name == "invalid" })
        }
    }
}

import Glibc
@testable import MirrorCore
import Testing
import MirrorDocument

/// The plain rules of directory streams: the glob grammar, ignore rules, manifest entry fields,
/// the tree keys in mirror.yaml, and the message for a folder that cannot be watched.
@Suite("tree rules")
struct TreeRulesTests {
    @Test(arguments: [
        ("/w/build", "/w/build", nil),
        ("/w/build/**/*.tar.gz", "/w/build", ["**", "*.tar.gz"]),
        ("/w/b[12]/x/*.log", "/w", ["b[12]", "x", "*.log"]),
        ("/w/*.txt", "/w", ["*.txt"]),
    ] as [(String, String, [String]?)])
    func theRootIsTheLeadingRunWithoutGlobCharacters(watchPath: String, root: String, segments: [String]?) {
        let glob = TreeGlob(watchPath: watchPath)
        #expect(glob.root == root)
        #expect(glob.segments == segments)
    }

    @Test(arguments: [
        ("**/*.tar.gz", "a.tar.gz", true), ("**/*.tar.gz", "x/y/z/a.tar.gz", true), ("**/*.tar.gz", "a.tar.gzip", false),
        ("**/*.tar.gz", "x/a.tar", false), ("*.tar.gz", "x/a.tar.gz", false), ("x/**/y", "x/y", true),
        ("x/**/y", "x/1/2/y", true), ("x/**/y", "x/1/2/z", false), ("?.c", "a.c", true), ("?.c", "ab.c", false),
        ("[a-c]*.log", "b1.log", true), ("[!a-c]*.log", "b1.log", false), ("[^a-c]*.log", "d.log", true),
        ("file\\*", "file*", true), ("file\\*", "filex", false), ("*", ".hidden", true), ("a*b*c", "aXbYbZc", true),
        ("[unclosed", "[unclosed", true), ("é?", "éa", true),
    ])
    func globMatching(pattern: String, key: String, expected: Bool) {
        let glob = TreeGlob(watchPath: "/root/" + pattern)
        #expect(glob.matches(key) == expected, "\(pattern) ~ \(key)")
    }

    @Test(arguments: [
        ("a.swp", true), ("dir/b~", true), ("4913", true), ("x/app.json___jb_tmp___", true), (".#notes", true),
        ("notes", false), ("out.log", true), ("cache", true), ("cache/x/y", true), ("src/cache.txt", false),
        ("build/tmp/x.part", true), ("tmp/x.part", false), ("node_modules", true), ("a/node_modules", true),
    ])
    func ignoreRules(key: String, ignored: Bool) {
        let ignore = TreeIgnore(["*.log", "cache/**", "/build/tmp/*.part", "node_modules/"])
        #expect(ignore.ignores(key) == ignored, "\(key)")
    }

    @Test(arguments: [
        (Int64(0), Int64(0), "1970-01-01T00:00:00Z"),
        (1_795_700_501, 123_456_789, "2026-11-26T13:41:41.123456789Z"),
        (1_795_700_501, 120_000_000, "2026-11-26T13:41:41.12Z"),
        (951_782_400, 1, "2000-02-29T00:00:00.000000001Z"),
    ])
    func mtimesAreRFC3339WithTrimmedFractions(seconds: Int64, nanoseconds: Int64, text: String) {
        #expect(ManifestEntry.rfc3339(seconds: seconds, nanoseconds: nanoseconds) == text)
    }

    @Test func aManifestEntryListsSizeMtimeAndDigestInThatOrder() {
        let entry = ManifestEntry(size: 3, modifiedSeconds: 0, modifiedNanoseconds: 0, sha256: "ab")
        #expect(JSONSerializer.serialize(entry.value) == Array(#"{"size":3,"mtime":"1970-01-01T00:00:00Z","sha256":"ab"}"#.utf8))
    }

    @Test func theWatchLimitMessageNamesTheSysctl() {
        let message = TreeSource.watchFailureMessage(watch: "build/", folder: "a/b", code: ENOSPC)
        #expect(message.contains("fs.inotify.max_user_watches"))
        #expect(message.contains("sysctl fs.inotify.max_user_watches=524288"))
        #expect(message.contains("folder 'a/b' of 'build/'"))
        #expect(TreeSource.watchFailureMessage(watch: "build/", folder: "", code: EACCES).contains("Permission denied"))
    }

    @Test func binaryTextIsMetadata() throws {
        let value = try DocumentReader.read([0x50, 0x00, 0x01], format: .text)
        #expect(value == ["binary": true, "size": 3, "sha256": .string(ContentDigest.hex(of: [0x50, 0x00, 0x01]))])
        #expect(try DocumentReader.read(Array("plain".utf8), format: .text) == "plain")
        #expect(throws: DocumentError.self) { try DocumentReader.read([0x50, 0x00], format: .json) }
    }

    @Test func treeKeysAndTheirDefaults() throws {
        let plain = try load("streams:\n  - path: /a\n    watch: build/\n").streams[0]
        #expect(plain.source == .tree)
        #expect(plain.format == .manifest)
        #expect(plain.emit == .patch)
        #expect(plain.tree == TreeOptions())
        let set = try load("streams:\n  - path: /a\n    watch: 'b/**/*.gz'\n    emit: snapshot\n    ignore: ['*.tmp']\n    hash: false\n    max_files: 10\n").streams[0]
        #expect(set.emit == .snapshot)
        #expect(set.tree == TreeOptions(ignore: ["*.tmp"], hash: false, maxFiles: 10))
    }

    @Test(arguments: [
        ("    watch: a.json\n    hash: false\n", "only a folder or a pattern"),
        ("    watch: b/\n    max_files: 0\n", "max_files"),
        ("    watch: b/\n    ignore: '*.tmp'\n", "expected a list of globs"),
        ("    watch: b/\n    hash: maybe\n", "expected true or false"),
    ])
    func treeKeyErrors(lines: String, message: String) {
        #expect { try load("streams:\n  - path: /a\n" + lines) } throws: { error in
            "\(error)".contains(message)
        }
    }
}

import Foundation
import Glibc
import Logging
import MirrorCore
import MirrorDocument
import MirrorTestSupport
import Testing

/// A stopped engine holds no inotify watch, whatever its sources' kind: every source stops its
/// loop and removes its watches (a tree's stop used to leave its watches and instance behind).
/// The watches are read from the kernel's own account, `/proc/self/fdinfo` (proc(5)).
@Suite("stopping a source", .timeLimit(.minutes(1)))
struct SourceStopTests {
    enum Kind: String, CaseIterable, Sendable {
        case file, lines, tree
    }

    func stream(_ kind: Kind, in directory: TemporaryDirectory) -> StreamConfig {
        switch kind {
        case .file:
            return StreamConfig(path: "/doc", watch: "doc.json", watchPath: directory.url("doc.json"), format: .json)
        case .lines:
            return StreamConfig(path: "/log", watch: "app.log", watchPath: directory.url("app.log"), format: .lines, source: .lines)
        case .tree:
            return StreamConfig(path: "/tree", watch: "tree/", watchPath: directory.url("tree"), format: .manifest, source: .tree)
        }
    }

    @Test(arguments: Kind.allCases)
    func aStoppedSourceHoldsNoWatch(_ kind: Kind) throws {
        let directory = try TemporaryDirectory(prefix: "sse-mirror-stop")
        defer { directory.remove() }
        try directory.write("doc.json", "{}")
        try directory.write("app.log", "one\n")
        try directory.mkdir("tree")
        try directory.write("tree/a.txt", "a")
        // What each kind watches: the folder of a file or log (and the open log itself), a tree's root.
        let watched = Set([directory.path, directory.url("app.log"), directory.url("tree")].map(Self.inode))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let config = MirrorConfig(streams: [stream(kind, in: directory)], file: directory.url("mirror.yaml"), baseDirectory: directory.path)
        let engine = try MirrorEngine(config: config, logger: logger)
        engine.start()
        #expect(!Self.watchedInodes().isDisjoint(with: watched), "the source watches nothing that the test can see")
        engine.stop()
        #expect(Self.watchedInodes().isDisjoint(with: watched), "a watch outlived the stop of a \(kind) source")
        withExtendedLifetime(engine) {}
    }

    static func inode(_ path: String) -> UInt64 {
        var info = stat()
        stat(path, &info)
        return UInt64(info.st_ino)
    }

    /// The inodes every inotify instance of this process watches: lines `inotify wd:… ino:<hex> …`
    /// of the fdinfo of each descriptor that is an inotify instance.
    static func watchedInodes() -> Set<UInt64> {
        var inodes: Set<UInt64> = []
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in descriptors {
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == "anon_inode:inotify",
                let info = try? String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8)
            else { continue }
            for line in info.split(separator: "\n") where line.hasPrefix("inotify wd:") {
                guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("ino:") }) else { continue }
                if let inode = UInt64(field.dropFirst(4), radix: 16) { inodes.insert(inode) }
            }
        }
        return inodes
    }
}

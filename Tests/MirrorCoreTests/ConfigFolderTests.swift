import Foundation
import Glibc
import MirrorCore
import MirrorTestSupport
import Testing

/// Relative `watch` paths belong to the folder the config file really is in.
@Suite("config folder")
struct ConfigFolderTests {
    /// `elsewhere/link/../mirror.yaml`, with `link` pointing into `real/sub`: the kernel opens
    /// `real/mirror.yaml`, so `watch: app.json` is `real/app.json`, not the lexical `elsewhere/app.json`.
    @Test func relativeWatchPathsResolveAgainstTheRealFolder() throws {
        let temporary = try TemporaryDirectory(prefix: "sse-mirror-config")
        defer { temporary.remove() }
        let root = temporary.path
        try FileManager.default.createDirectory(atPath: root + "/real/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/elsewhere/link", withDestinationPath: root + "/real/sub")
        try Data("streams:\n  - path: /a\n    watch: app.json\n".utf8).write(to: URL(fileURLWithPath: root + "/real/mirror.yaml"))

        let config = try ConfigLoader.load(file: root + "/elsewhere/link/../mirror.yaml")
        // mkdtemp's folder may itself sit under a symlink; compare with what realpath says.
        let realRoot = try #require(realpath(root, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
        #expect(config.baseDirectory == realRoot + "/real")
        #expect(config.streams[0].watchPath == realRoot + "/real/app.json")
        #expect(config.file == root + "/elsewhere/link/../mirror.yaml")
    }
}

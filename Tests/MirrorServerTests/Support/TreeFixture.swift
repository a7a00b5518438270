import Foundation
import Glibc
import Logging
import MirrorCore
import MirrorServer
import NIOCore
import NIOPosix
import Testing
import MirrorDocument

/// A real server with one directory stream at `/tree`, configured from mirror.yaml text (so the
/// tree keys go through the decoder), over a real temporary folder.
extension MirrorFixture {
    static func startTree(
        watch: String = "art/",
        extra: String = "",
        timing: WatchTiming = testTiming,
        prepare: (TemporaryDirectory) throws -> Void = { _ in }
    ) async throws -> MirrorFixture {
        let directory = try TemporaryDirectory()
        try prepare(directory)
        let yaml = """
            listen: 127.0.0.1:0
            heartbeat: 0
            streams:
              - path: /tree
                watch: "\(watch)"
            \(extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        let config = try ConfigLoader.parse(Array(yaml.utf8), file: directory.url("mirror.yaml"), baseDirectory: directory.path)
        return try await serve(config, in: directory, timing: timing)
    }

    /// The whole document the hub serves now (what the JSON GET answers).
    func treeDocument() -> JSONValue? {
        guard let state = hub("/tree").current().state, state.name == "changed" else { return nil }
        return try? JSONParser.parse(Array(state.data.readableBytesView))
    }
}

/// What a manifest of `root` must be, computed the way an operator would check it: `find -type f`
/// and the real `sha256sum`, sizes and mtimes from lstat.
enum TreeTruth {
    static func manifest(_ root: String, hash: Bool = true, matching: (String) -> Bool = { _ in true }) throws -> JSONValue {
        var object = JSONObject()
        guard FileManager.default.fileExists(atPath: root) else { return .object(object) }
        let listed = try run("/usr/bin/find", [root, "-type", "f", "-print0"])
        let paths = listed.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.sorted()
        var hashes: [ScalarString: String] = [:]
        if hash && !paths.isEmpty {
            for chunk in stride(from: 0, to: paths.count, by: 500).map({ Array(paths[$0..<min($0 + 500, paths.count)]) }) {
                let text = String(decoding: try run("/usr/bin/sha256sum", ["--"] + chunk), as: UTF8.self)
                for line in text.split(separator: "\n") {
                    let digest = String(line.prefix(64))
                    hashes[ScalarString(String(line.dropFirst(66)))] = digest
                }
            }
        }
        for path in paths {
            let key = String(path.dropFirst(root.count + 1))
            guard matching(key) else { continue }
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            var entry = JSONObject()
            entry["size"] = .number(JSONNumber(Int(info.st_size)))
            entry["mtime"] = .string(ManifestEntry.rfc3339(seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec)))
            if hash { entry["sha256"] = .string(try #require(hashes[ScalarString(path)], "sha256sum printed no line for \(path)")) }
            object[key] = .object(entry)
        }
        return .object(object)
    }

    /// The tool's standard output; it blocks this thread until the tool exits (from an async
    /// test, through `offPool`).
    static func run(_ tool: String, _ arguments: [String]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}

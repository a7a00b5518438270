import Foundation
import Glibc
import MirrorTestSupport
import Testing

/// A queue overflow can drop a file's IN_CLOSE_WRITE. The file then stayed `"writing": true` for
/// good, and a CI job waiting for its hash waited forever. After an overflow a file still marked
/// `writing` is whole once ``TreeSource/unseenWriterQuiet`` passes with no event naming it.
@Suite("tree streams after a queue overflow", .timeLimit(.minutes(3)))
struct TreeOverflowWritingTests {
    static let config = "listen: 127.0.0.1:0\nheartbeat: 0\nstreams:\n  - path: /artifacts\n    watch: art/\n"

    @Test(.enabled(if: queueLimit <= 200_000, "a queue this long takes too many files to fill"))
    func aFileWhoseCloseTheOverflowLostIsHashedAfterTheQuietTime() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.mkdir("art")
        try directory.write("mirror.yaml", Self.config)
        try await withServer(ServerProcess(config: directory.url("mirror.yaml"), in: directory)) { server in
            #expect(try await Self.manifest(port: server.port).contains(#"{}"#))
            // The server sleeps while the artifact is opened and written (both events queued), then
            // enough files to fill the queue (two events each: IN_CREATE, IN_CLOSE_WRITE) so that
            // the artifact's close is among what the kernel drops.
            let floodFiles = Self.queueLimit / 2 + 1_000
            server.signal(SIGSTOP)
            let artifact = open(directory.url("art/app.tar.gz"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            #expect(artifact >= 0)
            #expect(write(artifact, "whole artifact", 14) == 14)
            await offPool {
                for index in 0..<floodFiles {
                    let flood = open(directory.url("art/f\(index)"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                    if flood >= 0 { close(flood) }
                }
            }
            close(artifact)
            server.signal(SIGCONT)
            try await server.waitForLog("inotify queue overflowed")
            // sha256("whole artifact"), the file as its writer closed it.
            let whole = "18de3d3d2516f4bb9452c5c28f2a7fe3237fdfdc2840f3b148f729aed98e2497"
            try await eventually(timeout: .seconds(60)) {
                let manifest = (try? await Self.manifest(port: server.port)) ?? ""
                return manifest.contains(#""app.tar.gz":{"size":14,"#) && manifest.contains(whole)
            }
        }
    }

    /// `fs.inotify.max_queued_events`: how many events the kernel queues before it drops the rest.
    static var queueLimit: Int {
        let text = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8)) ?? ""
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 16_384
    }

    /// The stream's current manifest through a plain JSON GET.
    static func manifest(port: Int) async throws -> String {
        let socket = try await RawSocket.connect(
            port: port, request: "GET /artifacts HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n", receiveBuffer: 1 << 20)
        defer { socket.close() }
        let bytes = await socket.receive(seconds: 30) { _ in false }
        return String(decoding: bytes, as: UTF8.self)
    }
}

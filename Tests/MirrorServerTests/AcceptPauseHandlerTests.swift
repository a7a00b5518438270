import Glibc
import Logging
@testable import MirrorServer
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// The listening channel's last handler, without sockets: what it logs and when it pauses.
@Suite("accept pause handler")
struct AcceptPauseHandlerTests {
    /// Collects every message logged through it.
    final class Capture: Sendable {
        let lines = Mutex<[String]>([])
        var logger: Logger {
            Logger(label: "test") { _ in CaptureHandler(capture: self) }
        }
    }

    struct CaptureHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            capture.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
        }
    }

    /// A connection whose setup failed is closed by NIO and reported to the listening pipeline;
    /// it must be logged, or a server that resets every connection looks healthy.
    @Test func failedConnectionSetupsAreLogged() throws {
        let capture = Capture()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(backoff: .milliseconds(250), logger: capture.logger))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: EACCES, reason: "setsockopt"))
        let lines = capture.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error a connection could not be set up") == true, "\(lines)")
    }

    /// Out of descriptors: one warning per outage, however many accepts fail. (That accepting
    /// really pauses, without spinning, is measured on the real binary in ServerProcessTests.)
    @Test func outOfDescriptorsPausesAndLogsOnce() throws {
        let capture = Capture()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(backoff: .milliseconds(250), logger: capture.logger))
        for _ in 0..<5 { channel.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept")) }
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(250))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept"))
        let lines = capture.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("warning cannot accept connections: Too many open files") == true, "\(lines)")
    }
}

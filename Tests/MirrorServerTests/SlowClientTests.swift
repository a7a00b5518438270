import Glibc
@testable import MirrorCore
import MirrorServer
import NIOCore
import Synchronization
import Testing

/// Clients that stop reading, stall, or vanish without a word: each is closed and its place and
/// descriptor freed, while healthy clients of the same stream lose nothing.
@Suite("slow and dead clients", .timeLimit(.minutes(1)))
struct SlowClientTests {
    static let request = "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    static func padded(_ n: Int, size: Int) -> String {
        "{\"n\": \(n), \"pad\": \"" + String(repeating: "x", count: size) + "\"}"
    }

    /// The bound alone (no write timeout): a client that never reads is closed once more than the
    /// bound is queued when an event comes, and a healthy client gets every event, in order.
    @Test func aClientThatNeverReadsIsClosedAtTheBoundWhileAHealthyOneGetsEveryEvent() async throws {
        let size = 128 * 1024
        try await withServer(MirrorFixture.start(
            files: ["app.json": Self.padded(0, size: size)],
            limits: ServerLimits(maximumQueuedBytes: 512 * 1024, writeTimeout: nil)
        )) { fixture in
            let stalled = try await RawSocket.connect(port: fixture.port, request: Self.request, receiveBuffer: 4096)
            defer { stalled.close() }
            let healthy = try await fixture.subscribe()
            try await healthy.waitFor("first", timeout: .seconds(10)) { $0.count == 1 }
            for n in 1...30 {
                try fixture.directory.write("app.json", Self.padded(n, size: size))
                try await Task.sleep(for: .milliseconds(40))
            }
            try await eventually(timeout: .seconds(10)) { await fixture.servedClients() == 1 }
            #expect(fixture.hub().clients.count == 1, "the closed client's place is free")
            let events = try await healthy.waitFor("the last change", timeout: .seconds(10)) { $0.last?.data.hasPrefix("{\"n\":30,") == true }
            // Every version the server published reached it: consecutive ids, no gap.
            let sequences = events.compactMap { $0.id?.split(separator: "-").last.flatMap { Int($0) } }
            #expect(sequences == Array(sequences[0]...(sequences[0] + sequences.count - 1)), "\(sequences)")
            #expect(events.count >= 2)
            await healthy.close()
        }
    }

    /// A client that takes no bytes while some are queued is closed after the write timeout,
    /// although no event comes to find it over the bound (no changes, no heartbeats).
    @Test func aStalledWriteIsClosedAfterTheWriteTimeout() async throws {
        try await withServer(MirrorFixture.start(
            files: ["app.json": Self.padded(0, size: 8 << 20)],
            limits: ServerLimits(maximumQueuedBytes: 64 * 1024, writeTimeout: .milliseconds(500))
        )) { fixture in
            let stalled = try await RawSocket.connect(port: fixture.port, request: Self.request, receiveBuffer: 4096)
            defer { stalled.close() }
            // Admitted once the answer's head arrives; it reads no further. (Waiting to see it hold a
            // place raced the timeout on a loaded machine: it can be admitted and closed between two
            // looks at the count.)
            let head = String(decoding: await stalled.receive(seconds: 30) { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }, as: UTF8.self)
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head.prefix(200))")
            let started = ContinuousClock.now
            try await eventually(timeout: .seconds(10)) { fixture.hub().clients.count == 0 }
            #expect(await fixture.servedClients() == 0)
            // Soon after the 0.5 s timeout, with room for a loaded machine; without it, never.
            #expect(ContinuousClock.now - started < .seconds(6))
        }
    }

    /// A slow reader that keeps taking bytes is not stalled, however long its big document takes.
    /// (NIO hands the kernel more only once a third of the socket's send buffer is free, up to
    /// 1.3 MiB on loopback, so progress shows in steps: the timeout is longer than one step at
    /// this reader's pace.)
    @Test func aSlowButMovingReaderIsNotClosedByTheWriteTimeout() async throws {
        try await withServer(MirrorFixture.start(
            files: ["app.json": Self.padded(0, size: 8 << 20)],
            limits: ServerLimits(maximumQueuedBytes: 64 * 1024, writeTimeout: .seconds(3))
        )) { fixture in
            let reader = try await RawSocket.connect(port: fixture.port, request: Self.request, receiveBuffer: 64 * 1024)
            defer { reader.close() }
            // The reader is a thread of its own, so its pace is its own: a task sleeping on the
            // suite's busy cooperative pool could wake seconds late and stall for real.
            let outcome = Mutex<(tail: [UInt8], total: Int, elapsed: Duration)?>(nil)
            let descriptor = reader.descriptor
            pthread_detach(PosixThread.start {
                var tail: [UInt8] = []
                var total = 0
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                let started = ContinuousClock.now
                while ContinuousClock.now - started < .seconds(30) {
                    let count = Glibc.read(descriptor, &buffer, buffer.count)
                    if count <= 0 { break }
                    total += count
                    tail = Array((tail + buffer[..<count]).suffix(16))
                    if String(decoding: tail, as: UTF8.self).hasSuffix("\"}\n\n\r\n") { break }
                    // Reads slower than the server writes: bytes stay queued for well over the timeout.
                    usleep(40_000)
                }
                let elapsed = ContinuousClock.now - started
                outcome.withLock { $0 = (tail, total, elapsed) }
            })
            try await eventually(timeout: .seconds(40)) { outcome.withLock { $0 != nil } }
            let (tail, total, elapsed) = try #require(outcome.withLock { $0 })
            #expect(String(decoding: tail, as: UTF8.self).hasSuffix("\"}\n\n\r\n"), "got \(total) bytes before the server closed")
            #expect(elapsed > .seconds(3), "the read took longer than the timeout")
            #expect(fixture.hub().clients.count == 1)
        }
    }

    /// Every accepted socket has TCP keepalive on, with the configured timings (tcp(7)), read back
    /// from the server's own descriptor.
    @Test func acceptedSocketsHaveKeepaliveOn() async throws {
        let keepalive = TCPKeepalive(idle: .seconds(7), interval: .seconds(3), count: 4)
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"a": 1}"#], limits: ServerLimits(keepalive: keepalive))) { fixture in
            let client = try await RawSocket.connect(port: fixture.port, request: Self.request, receiveBuffer: 64 * 1024)
            defer { client.close() }
            try await eventually { fixture.hub().clients.count == 1 }
            let accepted = try #require(AcceptedSocket.find(serverPort: fixture.port, peerPort: client.localPort))
            #expect(accepted.option(SOL_SOCKET, SO_KEEPALIVE) == 1)
            #expect(accepted.option(Int32(IPPROTO_TCP), TCP_KEEPIDLE) == 7)
            #expect(accepted.option(Int32(IPPROTO_TCP), TCP_KEEPINTVL) == 3)
            #expect(accepted.option(Int32(IPPROTO_TCP), TCP_KEEPCNT) == 4)
            #expect(accepted.option(Int32(IPPROTO_TCP), TCP_USER_TIMEOUT) == 19_000)
        }
    }

    /// A peer that vanishes without a FIN, on a stream with no changes and no heartbeats, is found
    /// by keepalive and its descriptor freed. The client socket is put in TCP repair mode
    /// (CAP_NET_ADMIN) and closed, which sends nothing: to the server the peer simply stops
    /// existing, as a rebooted machine does. Its first keepalive probe then meets a reset.
    @Test(.enabled(if: getuid() == 0, "TCP_REPAIR needs CAP_NET_ADMIN"))
    func aPeerThatVanishedWithoutAFINIsFoundByKeepalive() async throws {
        // The first probe 3 s after the last traffic: room for a loaded run between the connect and
        // the check that the server cannot know yet.
        let keepalive = TCPKeepalive(idle: .seconds(3), interval: .seconds(1), count: 2)
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"a": 1}"#], limits: ServerLimits(keepalive: keepalive))) { fixture in
            let client = try await RawSocket.connect(port: fixture.port, request: Self.request, receiveBuffer: 64 * 1024)
            try await eventually { fixture.hub().clients.count == 1 }
            let accepted = try #require(AcceptedSocket.find(serverPort: fixture.port, peerPort: client.localPort))
            var on: Int32 = 1
            let TCP_REPAIR: Int32 = 19
            #expect(setsockopt(client.descriptor, Int32(IPPROTO_TCP), TCP_REPAIR, &on, socklen_t(MemoryLayout<Int32>.size)) == 0)
            client.close()
            try await Task.sleep(for: .milliseconds(300))
            #expect(fixture.hub().clients.count == 1, "no FIN: the server cannot know yet")
            try await eventually(timeout: .seconds(10)) { fixture.hub().clients.count == 0 }
            #expect(await fixture.servedClients() == 0)
            try await eventually { AcceptedSocket.find(serverPort: fixture.port, peerPort: accepted.peerPort) == nil }
        }
    }
}

/// The server's end of a connection, found among this process's descriptors (the fixture's
/// server runs in the test process), to read its socket options back.
struct AcceptedSocket {
    let descriptor: Int32
    let peerPort: Int

    static func find(serverPort: Int, peerPort: Int) -> AcceptedSocket? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard let fd = Int32(name) else { continue }
            if port(fd, getsockname) == serverPort, port(fd, getpeername) == peerPort {
                return AcceptedSocket(descriptor: fd, peerPort: peerPort)
            }
        }
        return nil
    }

    private static func port(_ fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) } }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func option(_ level: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, level, name, &value, &length) == 0 ? value : nil
    }
}

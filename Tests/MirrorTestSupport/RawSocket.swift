import Glibc

/// A blocking socket that sends a request and then never reads: a client that does not keep up.
/// A small receive buffer makes the server's queue for it fill quickly. Its blocking calls run off
/// the cooperative pool (``connect(port:request:receiveBuffer:)``, ``receive(seconds:until:)``).
public struct RawSocket: Sendable {
    public let descriptor: Int32

    public struct Failure: Error {}

    /// Connects and sends `request` whole, on a thread of its own: a long request (a body of
    /// megabytes) blocks in write(2) until the server has read most of it.
    public static func connect(port: Int, request: String, receiveBuffer: Int32) async throws -> RawSocket {
        try await offPool { try connectBlocking(port: port, request: request, receiveBuffer: receiveBuffer) }
    }

    private static func connectBlocking(port: Int, request: String, receiveBuffer: Int32) throws -> RawSocket {
        // Close-on-exec: a child another test starts must not hold the connection open.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        var size = receiveBuffer
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw Failure()
        }
        let bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { break }  // the server closed early: what it sent is still there to read
            offset += written
        }
        return RawSocket(descriptor: fd)
    }

    public func close() {
        Glibc.close(descriptor)
    }
}

extension RawSocket {
    /// The client's own port, which the server sees as its peer's.
    public var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension RawSocket {
    /// ``read(seconds:until:)`` on a thread of its own, so the wait holds no thread of the test
    /// pool: what an async test calls.
    public func receive(seconds: Int, until done: @escaping @Sendable ([UInt8]) -> Bool) async -> [UInt8] {
        let socket = self
        return await offPool { socket.read(seconds: seconds, until: done) }
    }

    /// Reads (blocking, with a receive timeout) until `done` holds for what arrived, the peer
    /// closes, or `seconds` pass: a client that was slow and catches up. It blocks its thread:
    /// from an async test, call ``receive(seconds:until:)``.
    public func read(seconds: Int, until done: ([UInt8]) -> Bool) -> [UInt8] {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let end = deadline.tv_sec + seconds
        while !done(received) {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            guard now.tv_sec < end else { break }
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count == 0 { break }
            if count > 0 { received += buffer[..<count] }
        }
        return received
    }
}

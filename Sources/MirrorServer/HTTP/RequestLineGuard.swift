import Logging
import NIOCore

/// Looks at a connection's first line before the HTTP/1.1 decoder does, and answers `400` at once
/// when it is not an HTTP/1.x request line.
///
/// An HTTP/0.9 request (`GET /config` with no version, RFC 1945 §4.1) is not an error to the
/// decoder, which waits for the rest of a request that never comes; the client would wait until
/// the request timeout and then see the connection close without a word. RFC 9112 §3 requires
/// `method SP request-target SP HTTP-version`; empty lines before it are skipped (§2.2).
/// Once the line is seen, the bytes go on unchanged and this handler leaves the pipeline.
final class RequestLineGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// A request line longer than this is left for the decoder, which bounds it with its own limit.
    static let inspectedBytes = 8 * 1024

    private let logger: Logger
    private var pending: ByteBuffer?

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        if var pending = self.pending {
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        switch Self.inspect(buffer.readableBytesView) {
        case .incomplete:
            pending = buffer
        case .valid:
            pending = nil
            context.fireChannelRead(Self.wrapInboundOut(buffer))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .invalid:
            pending = nil
            logger.debug("request line is not HTTP/1.x; answering 400")
            let body = "Bad Request: expected an HTTP/1.1 request line (METHOD /path HTTP/1.1)\n"
            let response =
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            context.writeAndFlush(NIOAny(ByteBuffer(string: response))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Anything held back still belongs to the decoder.
        if let pending, pending.readableBytes > 0 {
            self.pending = nil
            context.fireChannelRead(Self.wrapInboundOut(pending))
        }
    }

    enum Verdict: Equatable { case incomplete, valid, invalid }

    /// The verdict on the first line in `bytes`: three parts, the last `HTTP/<digit>.<digit>`.
    static func inspect(_ bytes: ByteBufferView) -> Verdict {
        var start = bytes.startIndex
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        while start < bytes.endIndex, bytes[start] == UInt8(ascii: "\r") || bytes[start] == UInt8(ascii: "\n") {
            start += 1
        }
        guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            // A line that can no longer become a request line (a TLS handshake, binary noise) is
            // refused now rather than waited for.
            let partial = bytes[start...]
            let method = partial.prefix(while: { $0 != UInt8(ascii: " ") })
            if partial.contains(where: isControl) || !method.allSatisfy(isTokenCharacter) { return .invalid }
            return bytes.count >= inspectedBytes ? .valid : .incomplete
        }
        var line = bytes[start..<newline]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].allSatisfy(isTokenCharacter) else { return .invalid }
        let version = Array(parts[2])
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard version.count == 8, version.starts(with: Array("HTTP/".utf8)), isDigit(version[5]),
            version[6] == UInt8(ascii: "."), isDigit(version[7])
        else { return .invalid }
        return .valid
    }

    private static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\r")) || byte == 0x7F
    }

    /// `tchar` (RFC 9110 §5.6.2), what a method is made of.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

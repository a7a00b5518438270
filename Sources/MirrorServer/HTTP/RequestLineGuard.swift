import Logging
import NIOCore

/// Looks at a connection's request head before the HTTP/1.1 decoder does: answers `400` at once
/// when the first line is not an HTTP/1.x request line, `414 URI Too Long` when the request line
/// passes its bound (RFC 9112 §3: "A server that receives a request-target longer than any URI it
/// wishes to parse MUST respond with a 414"), and `431 Request Header Fields Too Large` when the
/// whole head passes its bound (RFC 6585 §5). NIO's decoder has bounds of its own (80 KiB of header
/// fields), but reports them as a parse error the client could not tell from a malformed request;
/// ours are lower, so they always come first.
///
/// An HTTP/0.9 request (`GET /config` with no version, RFC 1945 §4.1) is not an error to the
/// decoder, which waits for the rest of a request that never comes; the client would wait until
/// the request timeout and then see the connection close without a word. RFC 9112 §3 requires
/// `method SP request-target SP HTTP-version`; empty lines before it are skipped (§2.2).
/// The bytes go on unchanged as they come; once the head has ended this handler leaves the
/// pipeline. A refused connection lingers as ``HTTPRequestHandler``'s plain answers do: its
/// output is shut and what the client still sends is dropped for a moment, so the rest of an
/// oversized head does not turn the close into a reset that destroys the answer.
final class RequestLineGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Phase {
        /// Holding bytes back until the request line is whole.
        case requestLine
        /// The line passed; bytes go on while the rest of the head is counted.
        case headerFields(HeadEndScanner)
        /// Refused: input is dropped until the client closes or the linger time ends.
        case lingering
    }

    private let maximumLineBytes: Int
    private let maximumHeadBytes: Int
    private let lingerTimeout: TimeAmount
    private let logger: Logger
    private var pending: ByteBuffer?
    private var phase = Phase.requestLine

    init(limits: ServerLimits = ServerLimits(), logger: Logger) {
        self.maximumLineBytes = limits.maximumRequestLineBytes
        self.maximumHeadBytes = limits.maximumHeadBytes
        self.lingerTimeout = limits.lingerTimeout
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        switch phase {
        case .lingering:
            return
        case .headerFields(var scanner):
            let verdict = scanner.feed(buffer.readableBytesView)
            phase = .headerFields(scanner)
            return pass(buffer, verdict, context: context)
        case .requestLine:
            break
        }
        if var pending = self.pending {
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        switch Self.inspect(buffer.readableBytesView, maximumLineBytes: maximumLineBytes) {
        case .incomplete:
            pending = buffer
        case .valid:
            pending = nil
            var scanner = HeadEndScanner(maximumBytes: maximumHeadBytes)
            let verdict = scanner.feed(buffer.readableBytesView)
            phase = .headerFields(scanner)
            pass(buffer, verdict, context: context)
        case .invalid:
            pending = nil
            logger.debug("request line is not HTTP/1.x; answering 400")
            refuse("400 Bad Request", "Bad Request: expected an HTTP/1.1 request line (METHOD /path HTTP/1.1)\n", context: context)
        case .tooLong:
            pending = nil
            logger.debug("request line too long; answering 414")
            refuse("414 URI Too Long", "URI Too Long: the request line is longer than \(maximumLineBytes) bytes\n", context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .lingering = phase else { return context.fireUserInboundEventTriggered(event) }
        context.closeAtEndOfInput(event)
    }

    /// Hands head bytes on to the decoder, unless the head has grown past its bound.
    private func pass(_ buffer: ByteBuffer, _ verdict: HeadEndScanner.Verdict, context: ChannelHandlerContext) {
        switch verdict {
        case .inHead:
            context.fireChannelRead(Self.wrapInboundOut(buffer))
        case .ended:
            context.fireChannelRead(Self.wrapInboundOut(buffer))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .tooLarge:
            logger.debug("request head too large; answering 431")
            refuse(
                "431 Request Header Fields Too Large",
                "Request Header Fields Too Large: the request head is larger than \(maximumHeadBytes) bytes\n",
                context: context
            )
        }
    }

    /// A plain answer written below the HTTP encoder, then a lingering close.
    private func refuse(_ status: String, _ body: String, context: ChannelHandlerContext) {
        phase = .lingering
        let response =
            "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        context.write(NIOAny(ByteBuffer(string: response)), promise: nil)
        context.lingeringClose(after: lingerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Anything held back still belongs to the decoder.
        if let pending, pending.readableBytes > 0 {
            self.pending = nil
            context.fireChannelRead(Self.wrapInboundOut(pending))
        }
    }

    enum Verdict: Equatable { case incomplete, valid, invalid, tooLong }

    /// The verdict on the first line in `bytes`: three parts, the last `HTTP/<digit>.<digit>`, in
    /// at most `maximumLineBytes`.
    static func inspect(_ bytes: ByteBufferView, maximumLineBytes: Int = ServerLimits().maximumRequestLineBytes) -> Verdict {
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
            return partial.count > maximumLineBytes ? .tooLong : .incomplete
        }
        var line = bytes[start..<newline]
        guard line.count <= maximumLineBytes + 1 else { return .tooLong }
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

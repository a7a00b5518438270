import Glibc
import Logging
import NIOCore

/// The last handler of the listening channel: says what NIO's accept path would otherwise drop
/// silently.
///
/// Out of descriptors (EMFILE, ENFILE), `accept` fails at once on every wakeup; NIO's
/// `AcceptBackoffHandler` pauses accepting and this logs the outage once, not per failure, and
/// once more when a connection is accepted again. A connection that could not be set up (a socket
/// option refused, a handler that failed to add) is closed by NIO; this logs why, so a
/// misconfiguration that resets every connection cannot hide.
final class AcceptErrorLogger: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let backoff: TimeAmount
    private let logger: Logger
    /// True from the first failed accept of an outage until a connection is accepted again.
    private var exhausted = false

    init(backoff: TimeAmount, logger: Logger) {
        self.backoff = backoff
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if exhausted {
            exhausted = false
            logger.notice("accepting connections again")
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, Self.resourceErrors.contains(error.errnoCode) {
            guard !exhausted else { return }
            exhausted = true
            logger.warning(
                "cannot accept connections: \(String(cString: strerror(error.errnoCode))); retrying every \(Self.describe(backoff)), connected clients are still served",
                metadata: ["errno": "\(error.errnoCode)"]
            )
            return
        }
        logger.error("a connection could not be set up and was closed", metadata: ["error": "\(error)"])
    }

    /// Failures that pass once other connections close or memory frees up.
    private static let resourceErrors: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]

    private static func describe(_ amount: TimeAmount) -> String {
        amount.nanoseconds % 1_000_000_000 == 0 ? "\(amount.nanoseconds / 1_000_000_000) s" : "\(amount.nanoseconds / 1_000_000) ms"
    }
}

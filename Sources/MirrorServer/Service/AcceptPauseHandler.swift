import Glibc
import Logging
import NIOCore

/// The last handler of the listening channel: pauses accepting while the process is out of
/// descriptors, and says what NIO's accept path would otherwise drop silently.
///
/// Out of descriptors (EMFILE, ENFILE), `accept` fails while the listening socket stays readable,
/// so a server that only retries spins at 100% of a core. NIO's own `AcceptBackoffHandler` delays
/// the next `read()`, but after a failed accept the channel still has a read pending and stays
/// registered for readability, so it spins all the same. Turning `autoRead` off takes the socket
/// out of the poll set; a timer turns it on again after ``ServerLimits/acceptBackoff``, so a
/// client is accepted soon after others leave, while connected clients are served throughout.
/// The outage is logged once, and its end once: it ends when accepting has worked for a second
/// without a failure, so a process hovering at its limit does not log every flap. A connection that could not be set up (a socket
/// option refused, a handler that failed to add) is closed by NIO; this logs why, so a
/// misconfiguration that resets every connection cannot hide.
final class AcceptPauseHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let backoff: TimeAmount
    private let logger: Logger
    /// True from the first failed accept of an outage until accepting has worked for a while.
    private var exhausted = false
    private var resume: Scheduled<Void>?
    private var recovered: Scheduled<Void>?
    /// How long accepting must work before the outage counts as over.
    private static let recoveryTime = TimeAmount.seconds(1)

    init(backoff: TimeAmount, logger: Logger) {
        self.backoff = backoff
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if exhausted && recovered == nil {
            recovered = context.eventLoop.assumeIsolated().scheduleTask(in: Self.recoveryTime) {
                self.recovered = nil
                self.exhausted = false
                self.logger.notice("accepting connections again")
            }
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resume?.cancel()
        recovered?.cancel()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, Self.resourceErrors.contains(error.errnoCode) else {
            logger.error("a connection could not be set up and was closed", metadata: ["error": "\(error)"])
            return
        }
        recovered?.cancel()
        recovered = nil
        if !exhausted {
            exhausted = true
            logger.warning(
                "cannot accept connections: \(String(cString: strerror(error.errnoCode))); retrying every \(Self.describe(backoff)), connected clients are still served",
                metadata: ["errno": "\(error.errnoCode)"]
            )
        }
        guard resume == nil, let options = context.channel.syncOptions else { return }
        try? options.setOption(.autoRead, value: false)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: backoff) {
            self.resume = nil
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    /// Failures that pass once other connections close or memory frees up.
    private static let resourceErrors: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]

    private static func describe(_ amount: TimeAmount) -> String {
        amount.nanoseconds % 1_000_000_000 == 0 ? "\(amount.nanoseconds / 1_000_000_000) s" : "\(amount.nanoseconds / 1_000_000) ms"
    }
}

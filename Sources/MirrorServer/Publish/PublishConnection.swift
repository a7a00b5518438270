import MirrorCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP/1.1 client end an HTTP transport posts through: one keep-alive connection to the
/// target's host, one POST at a time, each answer bounded in time and judged by its status
/// (``PublishOutcome/init(status:)``). Touched only on its event loop, the pump's.
final class PublishConnection: Sendable {
    let target: PublishTarget
    private let eventLoop: any EventLoop
    private let timing: Timing
    private let channel: NIOLoopBoundBox<(any Channel)?>

    /// How long a connect and an answer may take.
    struct Timing: Sendable {
        var connect: TimeAmount = .seconds(2)
        var response: TimeAmount = .seconds(5)
    }

    init(target: PublishTarget, eventLoop: any EventLoop, timing: Timing = Timing()) {
        self.target = target
        self.eventLoop = eventLoop
        self.timing = timing
        self.channel = NIOLoopBoundBox.makeBoxSendingValue(nil, eventLoop: eventLoop)
    }

    /// POSTs `body` (JSON) to the target's URL for the stream at `path`, with `fields` added to
    /// the head, and judges the answer. The target's credentials go out as HTTP Basic (RFC 7617).
    /// A connection whose POST failed is closed, so the next one starts afresh.
    func post(_ body: ByteBuffer, forStream path: String, fields: [(String, String)] = []) -> EventLoopFuture<PublishOutcome> {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostField)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(contentsOf: fields)
        if let authorization = target.authorization { headers.add(name: "Authorization", value: authorization) }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.target(forStream: path), headers: headers)
        return post(head, body: body, reuse: true).map { status in
            let outcome = PublishOutcome(status: status)
            if case .failed = outcome { self.close() }
            return outcome
        }.flatMapErrorThrowing { error in
            self.close()
            throw error
        }
    }

    func close() {
        channel.value?.close(promise: nil)
        channel.value = nil
    }

    /// On a kept-alive connection that the other end closed meanwhile (nginx's
    /// `keepalive_timeout`), once more on a fresh one.
    private func post(_ head: HTTPRequestHead, body: ByteBuffer, reuse: Bool) -> EventLoopFuture<HTTPResponseStatus> {
        let open = reuse ? channel.value.flatMap { $0.isActive ? $0 : nil } : nil
        let channel = open.map { eventLoop.makeSucceededFuture($0) } ?? connect()
        return channel.flatMap { channel in
            self.request(head, body: body, on: channel)
        }.flatMapError { error in
            guard open != nil, (error as? PublishError) == .closed || error is ChannelError else {
                return self.eventLoop.makeFailedFuture(error)
            }
            return self.post(head, body: body, reuse: false)
        }
    }

    private func connect() -> EventLoopFuture<any Channel> {
        close()
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timing.connect)  // TCP_NODELAY is ClientBootstrap's default
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(PublishResponseHandler())
                }
            }
            .connect(host: target.host, port: target.port)
            .map { channel in
                self.channel.value = channel
                return channel
            }
    }

    private func request(_ head: HTTPRequestHead, body: ByteBuffer, on channel: any Channel) -> EventLoopFuture<HTTPResponseStatus> {
        let status = eventLoop.makePromise(of: HTTPResponseStatus.self)
        let timeout = eventLoop.scheduleTask(in: timing.response) {
            status.fail(PublishError.timedOut)
            channel.close(promise: nil)
        }
        status.futureResult.whenComplete { _ in timeout.cancel() }
        channel.writeAndFlush(PublishRequest(head: head, body: body, status: status)).whenFailure { status.fail($0) }
        return status.futureResult
    }
}

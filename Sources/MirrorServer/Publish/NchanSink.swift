import Logging
import MirrorCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import MirrorDocument

/// Posts the whole states of the streams that publish to one nchan publisher URL (README.md,
/// "Scaling out"; PROTOCOL.md, "Publishing"), over one HTTP/1.1 keep-alive connection, one
/// request at a time, on one event loop of its own choosing.
///
/// Publishing never waits for the hub: a hub's observer only stores the state into the
/// ``PublishQueue`` (one slot per stream, the newest supersedes) and, when the sink is idle,
/// wakes its loop. A failed post is retried with ``PublishBackoff``; meanwhile newer states
/// replace unsent ones, so a hub that is slow or down costs one state per stream, never more.
/// When the hub answers again every stream's newest state is posted again, as nchan (without
/// Redis) may have lost them and hands a new subscriber only what it has.
final class NchanSink: Sendable {
    let target: PublishTarget
    let eventLoop: any EventLoop
    private let logger: Logger
    private let metrics: PublishMetrics
    private let timing: Timing
    private let queue = Mutex(PublishQueue())
    /// When a post last succeeded and since when posts fail, for `/healthz`.
    private let health = Mutex(PublishStatus())
    private let loop: NIOLoopBoundBox<LoopState>

    /// How long a connect and an answer may take, and the retry waits.
    struct Timing: Sendable {
        var connect: TimeAmount = .seconds(2)
        var response: TimeAmount = .seconds(5)
        var backoff = PublishBackoff()
    }

    /// What only the sink's loop touches.
    private struct LoopState {
        var channel: (any Channel)?
        /// A post is on its way.
        var busy = false
        /// A retry is scheduled after a failure.
        var retry: Scheduled<Void>?
        var backoff: PublishBackoff
        /// Since when the hub has failed, and the drop count then (for the log line at its end).
        var outage: (since: ContinuousClock.Instant, droppedBefore: Int, failures: Int)?
        /// Streams whose refusal by the hub was logged already.
        var refusalsLogged: Set<String> = []
        var stopped = false
    }

    init(target: PublishTarget, eventLoop: any EventLoop, metrics: PublishMetrics, timing: Timing = Timing(), logger: Logger) {
        self.target = target
        self.eventLoop = eventLoop
        self.metrics = metrics
        self.timing = timing
        self.logger = logger
        self.loop = NIOLoopBoundBox.makeBoxSendingValue(LoopState(backoff: timing.backoff), eventLoop: eventLoop)
    }

    /// A stream's new whole state, from its hub's publishing thread: stored, and the loop woken
    /// if it is idle. Nothing else happens on the caller's thread.
    func offer(_ state: EncodedEvent, for path: String) {
        let offer = queue.withLock { $0.offer(state, for: path) }
        if offer.superseded { metrics.dropped.increment() }
        if offer.wake { eventLoop.execute { self.pump() } }
    }

    /// A stream publishes here from `state` on (its current state, nil when it has none yet).
    func attach(_ state: EncodedEvent?, for path: String) {
        if queue.withLock({ $0.attach(state, for: path) }) { eventLoop.execute { self.pump() } }
    }

    /// This sink for `/healthz`: its target (credentials as `***`), when a post last succeeded,
    /// since when posts fail, and how many states wait (``PublishStatus``). Any thread.
    func report() -> JSONValue {
        let waiting = queue.withLock { $0.waiting }
        return health.withLock { $0 }.json(target: target, queued: waiting)
    }

    /// A stream no longer publishes here: what it had waiting is forgotten.
    func remove(_ path: String) {
        queue.withLock { $0.remove(path) }
    }

    /// Closes the connection and sends nothing more.
    func stop() async {
        try? await eventLoop.submit {
            self.loop.value.stopped = true
            self.loop.value.retry?.cancel()
            self.loop.value.retry = nil
            self.loop.value.channel?.close(promise: nil)
            self.loop.value.channel = nil
        }.get()
    }

    /// Sends the next waiting state, unless a post is on its way or a retry is scheduled (each
    /// of which pumps again when it ends).
    private func pump() {
        guard !loop.value.stopped, !loop.value.busy, loop.value.retry == nil else { return }
        guard let (path, state) = queue.withLock({ $0.next() }) else { return }
        loop.value.busy = true
        post(state, for: path, reuse: true).whenComplete { result in
            self.finished(state, for: path, result)
        }
    }

    private func finished(_ state: EncodedEvent, for path: String, _ result: Result<HTTPResponseStatus, any Error>) {
        loop.value.busy = false
        guard !loop.value.stopped else { return }
        switch result {
        case .success(let status) where (200..<300).contains(status.code):
            metrics.sent.increment()
            health.withLock { $0.succeeded() }
            loop.value.backoff.reset()
            loop.value.refusalsLogged.remove(path)
            if let outage = loop.value.outage {
                loop.value.outage = nil
                let dropped = queue.withLock { queue in
                    queue.republishAll(except: (path, state))
                    return queue.dropped
                } - outage.droppedBefore
                logger.info(
                    "publish target reachable again; posting every stream's current state",
                    metadata: [
                        "publish.target": "\(target)", "publish.dropped": "\(dropped)", "publish.failures": "\(outage.failures)",
                        "publish.outage_seconds": "\(Self.seconds(since: outage.since))",
                    ]
                )
            }
            pump()
        case .success(let status) where Self.isRefusal(status):
            // The hub will not take this state however often it is sent (too large, forbidden):
            // drop it rather than hold back every other stream; the next version may pass.
            metrics.failures.increment()
            metrics.dropped.increment()
            queue.withLock { $0.refused() }
            if loop.value.refusalsLogged.insert(path).inserted {
                logger.warning(
                    "publish target refused a state; it is dropped and the stream's next state will be tried",
                    metadata: ["publish.target": "\(target)", "stream.path": "\(path)", "http.status": "\(status.code)"]
                )
            }
            pump()
        case .success(let status):
            failed(state, for: path, reason: "HTTP \(status.code) \(status.reasonPhrase)")
        case .failure(let error):
            failed(state, for: path, reason: "\(error)")
        }
    }

    /// No connection, no answer in time, or a 5xx: keep the state (unless a newer one came),
    /// and try again after the backoff.
    private func failed(_ state: EncodedEvent, for path: String, reason: String) {
        metrics.failures.increment()
        health.withLock { $0.failed() }
        loop.value.channel?.close(promise: nil)
        loop.value.channel = nil
        let (superseded, dropped) = queue.withLock { queue in (queue.retry(state, for: path), queue.dropped) }
        if superseded { metrics.dropped.increment() }
        if loop.value.outage == nil {
            loop.value.outage = (.now, dropped, 1)
            logger.warning(
                "publish target unreachable; retrying, and meanwhile each stream's newest state replaces any unsent one",
                metadata: ["publish.target": "\(target)", "error": "\(reason)"]
            )
        } else {
            loop.value.outage?.failures += 1
        }
        let delay = loop.value.backoff.next()
        loop.value.retry = eventLoop.scheduleTask(in: TimeAmount(delay)) {
            self.loop.value.retry = nil
            self.pump()
        }
    }

    /// POSTs one state; on a kept-alive connection that the hub closed meanwhile (nginx's
    /// `keepalive_timeout`), once more on a fresh one.
    private func post(_ state: EncodedEvent, for path: String, reuse: Bool) -> EventLoopFuture<HTTPResponseStatus> {
        let open = reuse ? loop.value.channel.flatMap { $0.isActive ? $0 : nil } : nil
        let channel = open.map { eventLoop.makeSucceededFuture($0) } ?? connect()
        return channel.flatMap { channel in
            self.request(state, for: path, on: channel)
        }.flatMapError { error in
            guard open != nil, (error as? PublishError) == .closed || error is ChannelError else {
                return self.eventLoop.makeFailedFuture(error)
            }
            return self.post(state, for: path, reuse: false)
        }
    }

    private func connect() -> EventLoopFuture<any Channel> {
        loop.value.channel?.close(promise: nil)
        loop.value.channel = nil
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
                self.loop.value.channel = channel
                return channel
            }
    }

    /// The POST nchan's publisher takes: the event's data as the body, its name in
    /// `X-EventSource-Event` (which nchan writes as the subscribers' `event:` line).
    private func request(_ state: EncodedEvent, for path: String, on channel: any Channel) -> EventLoopFuture<HTTPResponseStatus> {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostField)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(state.data.readableBytes))
        headers.add(name: "X-EventSource-Event", value: state.name)
        if let authorization = target.authorization { headers.add(name: "Authorization", value: authorization) }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.target(forStream: path), headers: headers)
        let status = eventLoop.makePromise(of: HTTPResponseStatus.self)
        let timeout = eventLoop.scheduleTask(in: timing.response) {
            status.fail(PublishError.timedOut)
            channel.close(promise: nil)
        }
        status.futureResult.whenComplete { _ in timeout.cancel() }
        channel.writeAndFlush(PublishRequest(head: head, body: state.data, status: status)).whenFailure { status.fail($0) }
        return status.futureResult
    }

    /// An answer that says the request itself is wrong: retrying the same state cannot help.
    /// 408 and 429 are about timing, so they are retried.
    static func isRefusal(_ status: HTTPResponseStatus) -> Bool {
        (400..<500).contains(status.code) && status.code != 408 && status.code != 429
    }

    private static func seconds(since start: ContinuousClock.Instant) -> String {
        let (seconds, attoseconds) = start.duration(to: .now).components
        return "\(seconds).\(attoseconds / 100_000_000_000_000_000)"
    }
}

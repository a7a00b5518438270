import Logging
import MirrorCore
import MirrorDocument
import NIOCore
import Synchronization

/// Feeds one publish target the whole states of the streams that publish there (README.md,
/// "Scaling out"; PROTOCOL.md, "Publishing"), one send at a time through its
/// ``PublishTransport``, on one event loop.
///
/// Publishing never waits for the target: a hub's publishing thread only stores the state into the
/// ``PublishQueue`` (one slot per stream, the newest supersedes) and, when the pump is idle, wakes
/// its loop. A failed send is retried after ``PublishBackoff``; meanwhile newer states replace
/// unsent ones, so a target that is slow or down costs one state per stream, never more. When the
/// target takes a state again, every stream's newest state is sent again, as the target (nchan
/// without Redis) may have lost them and hands a new subscriber only what it has. An outage is
/// logged once when it starts and once when it ends.
///
/// Its timing is its event loop's: retries are scheduled there and an outage is measured by its
/// `now`, so a test drives it with `NIOAsyncTestingEventLoop`'s clock.
final class PublishPump: StreamStateObserver {
    let target: PublishTarget
    let eventLoop: any EventLoop
    private let transport: any PublishTransport
    private let logger: Logger
    private let metrics: PublishMetrics
    private let queue = Mutex(PublishQueue())
    /// When a send last succeeded and since when sends fail, for `/healthz`.
    private let health = Mutex(PublishStatus())
    private let loop: NIOLoopBoundBox<LoopState>

    /// What only the pump's loop touches.
    private struct LoopState {
        /// A send is on its way.
        var busy = false
        /// A retry is scheduled after a failure.
        var retry: Scheduled<Void>?
        var backoff: PublishBackoff
        /// Since when the target has failed, and the drop count then (for the log line at its end).
        var outage: (since: NIODeadline, droppedBefore: Int, failures: Int)?
        /// Streams whose refusal by the target was logged already.
        var refusalsLogged: Set<String> = []
        var stopped = false
    }

    /// `transport` must complete its sends on `eventLoop`.
    init(
        target: PublishTarget, transport: any PublishTransport, eventLoop: any EventLoop, metrics: PublishMetrics,
        backoff: PublishBackoff = PublishBackoff(), logger: Logger
    ) {
        self.target = target
        self.transport = transport
        self.eventLoop = eventLoop
        self.metrics = metrics
        self.logger = logger
        self.loop = NIOLoopBoundBox.makeBoxSendingValue(LoopState(backoff: backoff), eventLoop: eventLoop)
    }

    /// A stream's new whole state, from its hub's publishing thread.
    func stateChanged(_ whole: EncodedEvent, path: String) {
        offer(whole, for: path)
    }

    /// A stream's new whole state: stored, and the loop woken if it is idle. Nothing else happens
    /// on the caller's thread.
    func offer(_ state: EncodedEvent, for path: String) {
        let offer = queue.withLock { $0.offer(state, for: path) }
        if offer.superseded { metrics.dropped.increment() }
        if offer.wake { eventLoop.execute { self.pump() } }
    }

    /// A stream publishes here from `state` on (its current state, nil when it has none yet).
    func attach(_ state: EncodedEvent?, for path: String) {
        if queue.withLock({ $0.attach(state, for: path) }) { eventLoop.execute { self.pump() } }
    }

    /// This pump for `/healthz`: its target (credentials as `***`), when a send last succeeded,
    /// since when sends fail, and how many states wait (``PublishStatus``). Any thread.
    func healthReport() -> JSONValue? {
        let waiting = queue.withLock { $0.waiting }
        return health.withLock { $0 }.json(target: target, queued: waiting)
    }

    /// A stream no longer publishes here: what it had waiting is forgotten.
    func remove(_ path: String) {
        queue.withLock { $0.remove(path) }
    }

    /// Closes the transport and sends nothing more.
    func stop() async {
        try? await eventLoop.submit {
            self.loop.value.stopped = true
            self.loop.value.retry?.cancel()
            self.loop.value.retry = nil
            self.transport.close()
        }.get()
    }

    /// Sends the next waiting state, unless a send is on its way or a retry is scheduled (each
    /// of which pumps again when it ends).
    private func pump() {
        guard !loop.value.stopped, !loop.value.busy, loop.value.retry == nil else { return }
        guard let (path, state) = queue.withLock({ $0.next() }) else { return }
        loop.value.busy = true
        transport.send(state, for: path).hop(to: eventLoop).recover { .failed("\($0)") }.whenSuccess { outcome in
            self.finished(state, for: path, outcome)
        }
    }

    private func finished(_ state: EncodedEvent, for path: String, _ outcome: PublishOutcome) {
        loop.value.busy = false
        guard !loop.value.stopped else { return }
        switch outcome {
        case .accepted:
            metrics.sent.increment()
            health.withLock { $0.succeeded() }
            loop.value.backoff.reset()
            loop.value.refusalsLogged.remove(path)
            if let outage = loop.value.outage { recovered(from: outage, sent: (path, state)) }
        case .refused(let reason):
            // The target will not take this state however often it is sent (too large,
            // forbidden): drop it rather than hold back every other stream; the next version may pass.
            metrics.failures.increment()
            metrics.dropped.increment()
            queue.withLock { $0.refused() }
            if loop.value.refusalsLogged.insert(path).inserted {
                logger.warning(
                    "publish target refused a state; it is dropped and the stream's next state will be tried",
                    metadata: ["publish.target": "\(target)", "stream.path": "\(path)", "error": "\(reason)"]
                )
            }
        case .failed(let reason):
            failed(state, for: path, reason: reason)
            return
        }
        pump()
    }

    /// The first success after failures: every stream's newest state goes again.
    private func recovered(from outage: (since: NIODeadline, droppedBefore: Int, failures: Int), sent: (String, EncodedEvent)) {
        loop.value.outage = nil
        let dropped = queue.withLock { queue in
            queue.republishAll(except: sent)
            return queue.dropped
        } - outage.droppedBefore
        logger.info(
            "publish target reachable again; posting every stream's current state",
            metadata: [
                "publish.target": "\(target)", "publish.dropped": "\(dropped)", "publish.failures": "\(outage.failures)",
                "publish.outage_seconds": "\(Self.seconds(eventLoop.now - outage.since))",
            ]
        )
    }

    /// No connection, no answer in time, or a 5xx: keep the state (unless a newer one came),
    /// and try again after the backoff.
    private func failed(_ state: EncodedEvent, for path: String, reason: String) {
        metrics.failures.increment()
        health.withLock { $0.failed() }
        let (superseded, dropped) = queue.withLock { queue in (queue.retry(state, for: path), queue.dropped) }
        if superseded { metrics.dropped.increment() }
        if loop.value.outage == nil {
            loop.value.outage = (eventLoop.now, dropped, 1)
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

    /// Seconds to the tenth, as the log writes them.
    static func seconds(_ amount: TimeAmount) -> String {
        let tenths = max(amount.nanoseconds, 0) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}

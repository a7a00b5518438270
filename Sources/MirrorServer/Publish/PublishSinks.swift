import CoreMetrics
import Logging
import MirrorCore
import NIOCore
import Synchronization

/// The publish sinks of a running mirror: one ``PublishPump`` per distinct target, driving the
/// transport the target names, and each stream's hub observed by the pump its `publish:` names.
///
/// ``apply(_:hubs:)`` is the one way in, at start and on every reload: a stream whose hub and
/// target are unchanged is left alone (no state is posted twice); one that is new, started
/// anew, or now publishes elsewhere is attached with its current state; a pump no stream uses
/// any more is handed back to be stopped.
final class PublishSinks: Sendable {
    private let group: any EventLoopGroup
    private let factory: any MetricsFactory
    private let timing: PublishConnection.Timing
    private let backoff: PublishBackoff
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var pumps: [PublishTarget: PublishPump] = [:]
        /// Each publishing stream's hub and target, by path.
        var attached: [String: (hub: StreamHub, target: PublishTarget)] = [:]

        /// The stream at `path` no longer publishes to `target`'s pump.
        mutating func detach(_ path: String, from hub: StreamHub, target: PublishTarget) {
            if let pump = pumps[target] {
                hub.removeStateObserver(pump)
                pump.remove(path)
            }
            attached[path] = nil
        }
    }

    init(
        group: any EventLoopGroup, factory: any MetricsFactory, timing: PublishConnection.Timing = PublishConnection.Timing(),
        backoff: PublishBackoff = PublishBackoff(), logger: Logger
    ) {
        self.group = group
        self.factory = factory
        self.timing = timing
        self.backoff = backoff
        self.logger = logger
    }

    /// Makes every hub publish where `publish` says; returns the pumps no stream uses any more.
    @discardableResult
    func apply(_ publish: PublishConfig, hubs: [StreamHub]) -> [PublishPump] {
        state.withLock { state in
            for hub in hubs {
                let target = publish.target(forStream: hub.path)
                let now = state.attached[hub.path]
                if let now, now.hub === hub, now.target == target { continue }
                if let now {
                    state.detach(hub.path, from: now.hub, target: now.target)
                }
                guard let target else { continue }
                let pump = state.pumps[target] ?? makePump(target)
                state.pumps[target] = pump
                let path = hub.path
                // Set first, read after: a state published in between reaches the pump either
                // way, and the pump keeps only the newest.
                hub.addStateObserver(pump)
                pump.attach(hub.current().state, for: path)
                state.attached[path] = (hub, target)
            }
            let served = Set(hubs.map(\.path))
            for (path, attachment) in state.attached where !served.contains(path) {
                state.detach(path, from: attachment.hub, target: attachment.target)
            }
            let used = Set(state.attached.values.map(\.target))
            let unused = state.pumps.filter { !used.contains($0.key) }
            for target in unused.keys { state.pumps[target] = nil }
            return Array(unused.values)
        }
    }

    /// Stops observing every hub and closes every pump.
    func stop() async {
        let pumps = state.withLock { state in
            for (path, attachment) in state.attached { state.detach(path, from: attachment.hub, target: attachment.target) }
            defer { state = State() }
            return Array(state.pumps.values)
        }
        for pump in pumps { await pump.stop() }
    }

    private func makePump(_ target: PublishTarget) -> PublishPump {
        logger.info("publishing to \(target.kind)", metadata: ["publish.target": "\(target)"])
        let eventLoop = group.next()
        return PublishPump(
            target: target, transport: transport(for: target, on: eventLoop), eventLoop: eventLoop,
            metrics: PublishMetrics(target: target, factory: factory), backoff: backoff, logger: logger
        )
    }

    /// The transport a target's kind names: the one place a new kind of target is added.
    private func transport(for target: PublishTarget, on eventLoop: any EventLoop) -> any PublishTransport {
        let connection = PublishConnection(target: target, eventLoop: eventLoop, timing: timing)
        return switch target.kind {
        case .nchan: NchanTransport(connection: connection)
        case .webhook: WebhookTransport(connection: connection)
        }
    }
}

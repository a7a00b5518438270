import CoreMetrics
import Logging
import MirrorCore
import NIOCore
import Synchronization

/// The publish sinks of a running mirror: one ``NchanSink`` per distinct target, and each
/// stream's hub observed by the sink its `publish:` names.
///
/// ``apply(_:hubs:)`` is the one way in, at start and on every reload: a stream whose hub and
/// target are unchanged is left alone (no state is posted twice); one that is new, started
/// anew, or now publishes elsewhere is attached with its current state; a sink no stream uses
/// any more is handed back to be stopped.
final class PublishSinks: Sendable {
    private let group: any EventLoopGroup
    private let factory: any MetricsFactory
    private let timing: NchanSink.Timing
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var sinks: [PublishTarget: NchanSink] = [:]
        /// Each publishing stream's hub and target, by path.
        var attached: [String: (hub: StreamHub, target: PublishTarget)] = [:]
    }

    init(group: any EventLoopGroup, factory: any MetricsFactory, timing: NchanSink.Timing = NchanSink.Timing(), logger: Logger) {
        self.group = group
        self.factory = factory
        self.timing = timing
        self.logger = logger
    }

    /// Makes every hub publish where `publish` says; returns the sinks no stream uses any more.
    @discardableResult
    func apply(_ publish: PublishConfig, hubs: [StreamHub]) -> [NchanSink] {
        state.withLock { state in
            for hub in hubs {
                let target = publish.target(forStream: hub.path)
                let now = state.attached[hub.path]
                if let now, now.hub === hub, now.target == target { continue }
                if let now {
                    now.hub.observeStates(nil)
                    state.sinks[now.target]?.remove(hub.path)
                    state.attached[hub.path] = nil
                }
                guard let target else { continue }
                let sink = state.sinks[target] ?? makeSink(target)
                state.sinks[target] = sink
                let path = hub.path
                // Set first, read after: a state published in between reaches the sink either
                // way, and the sink keeps only the newest.
                hub.observeStates({ whole in sink.offer(whole, for: path) }, report: { sink.report() })
                sink.attach(hub.current().state, for: path)
                state.attached[path] = (hub, target)
            }
            let served = Set(hubs.map(\.path))
            for (path, attachment) in state.attached where !served.contains(path) {
                attachment.hub.observeStates(nil)
                state.sinks[attachment.target]?.remove(path)
                state.attached[path] = nil
            }
            let used = Set(state.attached.values.map(\.target))
            let unused = state.sinks.filter { !used.contains($0.key) }
            for target in unused.keys { state.sinks[target] = nil }
            return Array(unused.values)
        }
    }

    /// Stops observing every hub and closes every sink.
    func stop() async {
        let sinks = state.withLock { state in
            for attachment in state.attached.values { attachment.hub.observeStates(nil) }
            defer { state = State() }
            return Array(state.sinks.values)
        }
        for sink in sinks { await sink.stop() }
    }

    private func makeSink(_ target: PublishTarget) -> NchanSink {
        logger.info("publishing to nchan", metadata: ["publish.target": "\(target)"])
        return NchanSink(
            target: target, eventLoop: group.next(), metrics: PublishMetrics(target: target, factory: factory), timing: timing, logger: logger
        )
    }
}

import MirrorCore
import NIOCore

/// Comment lines on every open stream at a fixed interval, so proxies and load balancers that close
/// idle connections leave event streams alone (WHATWG HTML §9.2.7 suggests one about every 15 s).
///
/// One timer per event loop, not per connection: each tick writes the same shared bytes to the
/// subscribers that loop already owns, in the streams of the configuration in force.
struct Heartbeat {
    static func schedule(every interval: TimeAmount, current: CurrentServingState, on group: any EventLoopGroup) -> [RepeatedTask] {
        let comment = SSEEncoder().encodeComment("heartbeat")
        return group.makeIterator().map { loop in
            loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                for hub in current.now.router.hubs {
                    hub.subscribers(on: loop)?.heartbeat(comment)
                }
            }
        }
    }
}

import MirrorCore
import NIOCore
import MirrorDocument

/// What `GET /healthz` answers (PROTOCOL.md, "Routes"): the server is up, and for each stream in
/// force what it watches, whether its document is good, how many clients it has and how it is
/// watched. A plain value built from the ``ServingState`` a request reads, so a reload shows at once.
struct HealthReport {
    /// A stream's state as the hub holds it.
    enum State: String {
        /// A document is published and no `invalid` stands over it.
        case ok
        /// An `invalid` is in force (the last good document, if any, stays published).
        case invalid
        /// The watched file is gone (`removed` is the current state).
        case removed
        /// Nothing published yet.
        case absent
    }

    /// How a stream's changes are seen.
    enum WatchMode {
        case inotify
        /// The polling fallback, and why (a folder that cannot be watched, a full watch limit).
        case polling(reason: String)
    }

    struct Stream {
        let config: StreamConfig
        let state: State
        let clients: Int
        let watchMode: WatchMode
        /// Where the stream publishes and how that fares (``PublishStatus``); nil without `publish:`.
        let publish: JSONValue?
    }

    let streams: [Stream]

    init(_ serving: ServingState) {
        streams = zip(serving.config.streams, serving.router.hubs).map { config, hub in
            Stream(
                config: config, state: Self.state(of: hub), clients: hub.clientCount,
                watchMode: Self.watchMode(serving.watchStatuses[config.path]), publish: hub.observerReport()
            )
        }
    }

    static func state(of hub: StreamHub) -> State {
        let (current, invalid) = hub.current()
        if invalid != nil { return .invalid }
        guard let current else { return .absent }
        return current.name == "removed" ? .removed : .ok
    }

    /// What the stream's watcher says now; a stream with no status (a tree) is watched by inotify.
    static func watchMode(_ status: WatchStatus?) -> WatchMode {
        if case .polling(let reason)? = status?.current { return .polling(reason: reason) }
        return .inotify
    }

    var json: JSONValue {
        let streams: [JSONValue] = self.streams.map { stream in
            var members: [(String, JSONValue)] = [
                ("path", .string(stream.config.path)),
                ("watch", .string(stream.config.watch)),
                ("kind", .string(stream.config.source.rawValue)),
                ("state", .string(stream.state.rawValue)),
                ("clients", .number(JSONNumber(stream.clients))),
            ]
            switch stream.watchMode {
            case .inotify:
                members.append(("watch_mode", "inotify"))
            case .polling(let reason):
                members += [("watch_mode", "polling"), ("polling_reason", .string(reason))]
            }
            if let publish = stream.publish { members.append(("publish", publish)) }
            return .object(JSONObject(uniqueKeys: members.map(\.0), values: members.map(\.1)))
        }
        return [
            "status": "ok",
            "streams": .array(streams),
            "clients": .number(JSONNumber(self.streams.reduce(0) { $0 + $1.clients })),
        ]
    }

    /// The answer's body: compact JSON and a newline.
    func body() -> ByteBuffer {
        var bytes = JSONSerializer.serialize(json)
        bytes.append(0x0A)
        return ByteBuffer(bytes: bytes)
    }
}

/// `limits:`, the bounds on the clients of the whole server (README.md, "Limits").
public struct ClientLimits: Sendable, Equatable {
    /// `client_buffer`: the most bytes one client may have queued when the next event comes; a
    /// client above it is closed. It counts what is queued beyond the event being written, so one
    /// event larger than the bound still reaches a client whose queue was empty.
    public var clientBuffer: Int
    /// `write_timeout`: how long bytes may stay queued for a client without the kernel taking any
    /// of them before it is closed; nil (`0`) never.
    public var writeTimeout: Duration?
    /// `max_clients`: the most event streams open at once over all streams; nil is no bound.
    public var maxClients: Int?
    /// `keepalive`: how a peer that vanished without a FIN is found.
    public var keepalive: TCPKeepalive

    public static let defaultClientBuffer = 4 << 20
    public static let defaultWriteTimeout: Duration = .seconds(30)

    public init(
        clientBuffer: Int = Self.defaultClientBuffer,
        writeTimeout: Duration? = Self.defaultWriteTimeout,
        maxClients: Int? = nil,
        keepalive: TCPKeepalive = TCPKeepalive()
    ) {
        self.clientBuffer = clientBuffer
        self.writeTimeout = writeTimeout
        self.maxClients = maxClients
        self.keepalive = keepalive
    }
}

/// `limits.keepalive: {idle, interval, count}`: TCP keepalive on every accepted connection
/// (tcp(7): `SO_KEEPALIVE`, `TCP_KEEPIDLE`, `TCP_KEEPINTVL`, `TCP_KEEPCNT`).
///
/// A peer that vanished without a FIN (a cable pulled, a laptop closed, a NAT that forgot the
/// flow) sends nothing more, and a stream with no changes and `heartbeat: 0` sends nothing either:
/// without probes its descriptor would be held until the server restarts. Linux's defaults (two
/// hours idle, nine probes 75 s apart) are far too slow for a server with many clients; 30 s idle,
/// then three probes 10 s apart, frees it about a minute after the peer went quiet.
///
/// Probes are only sent while nothing is in flight; a dead peer with bytes unacknowledged (a
/// heartbeat, an event) would instead be retransmitted to for about 15 minutes
/// (`tcp_retries2`). `TCP_USER_TIMEOUT`, set to the same total, bounds that case too; tcp(7):
/// "when used with the TCP keepalive (SO_KEEPALIVE) option, TCP_USER_TIMEOUT will override
/// keepalive to determine when to close a connection due to keepalive failure".
public struct TCPKeepalive: Sendable, Equatable {
    /// Time without anything received before the first probe (`TCP_KEEPIDLE`).
    public var idle: Duration
    /// Time between unanswered probes (`TCP_KEEPINTVL`).
    public var interval: Duration
    /// Unanswered probes before the connection is dropped (`TCP_KEEPCNT`).
    public var count: Int

    public static let defaultIdle: Duration = .seconds(30)
    public static let defaultInterval: Duration = .seconds(10)
    public static let defaultCount = 3

    public init(idle: Duration = Self.defaultIdle, interval: Duration = Self.defaultInterval, count: Int = Self.defaultCount) {
        self.idle = idle
        self.interval = interval
        self.count = count
    }

    /// `TCP_USER_TIMEOUT`: the same total as the probes, for a dead peer with bytes in flight.
    public var userTimeout: Duration { idle + interval * count }
}

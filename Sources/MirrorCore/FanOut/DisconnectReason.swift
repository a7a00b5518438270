/// Why a subscriber left its stream, for the `sse_mirror_disconnects_total` counter's `reason`
/// label (Prometheus label values: lowercase words joined by `_`).
public enum DisconnectReason: String, Sendable, CaseIterable {
    /// The client closed its connection (or it failed).
    case clientClosed = "client_closed"
    /// The server closed it: more than the bound was queued when the next event came.
    case slowClient = "slow_client"
    /// The server is shutting down and ended the stream cleanly.
    case shutdown
    /// A reload removed or changed the stream; the client reconnects to what serves the path now.
    case streamRetired = "stream_retired"
    /// A reload removed the token the client came with (or made its open stream need one).
    case tokenRevoked = "token_revoked"
}

import Glibc
import MirrorCore
import NIOCore
import NIOPosix

extension ServerBootstrap {
    /// TCP keepalive on every accepted connection, so a peer that vanished without a FIN is found
    /// and its descriptor freed (see ``TCPKeepalive``, tcp(7)). None of these options needs a
    /// privilege, so an option NIO fails to set (which closes the connection) cannot be the
    /// unprivileged case.
    func keepalive(_ keepalive: TCPKeepalive?) -> ServerBootstrap {
        guard let keepalive else { return self }
        let seconds = { (duration: Duration) in SocketOptionValue(clamping: duration.components.seconds) }
        let userTimeout = keepalive.userTimeout.components
        let milliseconds = userTimeout.seconds * 1000 + userTimeout.attoseconds / 1_000_000_000_000_000
        return self
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.tcpOption(.init(rawValue: TCP_KEEPIDLE)), value: seconds(keepalive.idle))
            .childChannelOption(.tcpOption(.init(rawValue: TCP_KEEPINTVL)), value: seconds(keepalive.interval))
            .childChannelOption(.tcpOption(.init(rawValue: TCP_KEEPCNT)), value: SocketOptionValue(clamping: keepalive.count))
            .childChannelOption(.tcpOption(.init(rawValue: TCP_USER_TIMEOUT)), value: SocketOptionValue(clamping: milliseconds))
    }
}

import NIOCore

extension ChannelHandlerContext {
    /// A lingering close (RFC 9112 §9.6): the output is shut once what was written is flushed,
    /// and the connection closed at the latest after `linger`, or as soon as the client closes
    /// (see ``closeAtEndOfInput(_:)``). Input meanwhile is read and dropped by the caller, so a
    /// request still arriving does not turn the close into a reset that destroys the answer.
    func lingeringClose(after linger: TimeAmount) {
        flush()
        close(mode: .output, promise: nil)
        eventLoop.assumeIsolated().scheduleTask(in: linger) { [self] in
            close(promise: nil)
        }
    }

    /// For a handler that is lingering: the client closed, so the connection closes; any other
    /// event goes on.
    func closeAtEndOfInput(_ event: Any) {
        if case ChannelEvent.inputClosed = event {
            close(promise: nil)
        } else {
            fireUserInboundEventTriggered(event)
        }
    }
}

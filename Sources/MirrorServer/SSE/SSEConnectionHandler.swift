import Logging
import MirrorCore
import NIOCore

/// A connection that has become an event stream: the last handler of its pipeline, with the HTTP
/// handlers gone, writing each event's shared bytes straight to the socket.
///
/// It is the hub's ``EventSink``: the hub calls it on this channel's loop, once per event. Where
/// it is in its life (streaming, closing, gone) is an ``SSEConnectionState``, which also decides
/// what an event or a heartbeat does.
///
/// Slow clients: when a state event comes and more than `maximumQueuedBytes` are still queued for
/// this client, it is closed rather than buffered without end; it reconnects, and its EventSource
/// picks up the current state. Heartbeats are skipped while anything is queued, never a reason to
/// close.
///
/// Stalled clients: a client that takes no bytes at all is closed once `writeTimeout` passes with
/// bytes queued for it (``WriteProgress``), even when no event comes to find it over the bound. The
/// check is scheduled only while something is queued: from the moment the channel turns unwritable
/// (its high-water mark, an eighth of the bound) or a heartbeat finds bytes queued, every quarter
/// of the timeout, until the queue is empty. An idle client costs no timer. Its instants are the
/// event loop's (`EventLoop.now`), so a test drives them with an `EmbeddedEventLoop`.
///
/// Admission: the client holds a place on its stream and on the server (``ClientSlot``) from its
/// admission until it leaves; leaving gives it back, once.
///
/// Multiplexing: a connection may carry several streams (``MultiplexedStreams``), each through a
/// ``MultiplexMember`` sink of its own; the bound, the write timeout and the place stay one per
/// connection, and a full socket holds back every one of its streams' sources.
///
/// End of input is not the end of the stream: a client may half-close after its request
/// (RFC 9112 §9.6) and still read. TCP cannot tell that from a peer that closed completely until
/// something is sent, so end of input sends an empty comment at once: a closed peer answers it with
/// a reset, which closes the channel now instead of at the next heartbeat or event.
final class SSEConnectionHandler: ChannelInboundHandler, EventSink, TokenHolder {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The last chunk of a chunked body (RFC 9112 §7.1): a clean end of the stream for the client.
    private static let lastChunk = ByteBuffer(string: "0\r\n\r\n")
    /// An empty comment, which EventSource ignores (WHATWG HTML §9.2.6).
    private static let probe = SSEEncoder().encodeComment("")

    private let hubs: [StreamHub]
    private let single: (lastEventID: String?, credential: [UInt8]?)?
    private var multiplex: MultiplexedStreams?
    private var members: [MultiplexMember] = []
    /// The token a single stream let the client in with, so a reload that removes it can end this
    /// stream (a multiplexed connection's members hold one per stream).
    var credential: [UInt8]? { single?.credential }
    /// The paths, for logs.
    private let paths: String
    private let chunked: Bool
    private let maximumQueuedBytes: Int
    private let slot: ClientSlot?
    private let logger: Logger
    /// The write-progress check, while one is scheduled.
    private var progress: WriteProgress?
    private var progressCheck: Scheduled<Void>?
    private let writeTimeout: TimeAmount?
    private var state = SSEConnectionState()
    /// The channel the hub's calls write to, from the handler's addition until the channel goes.
    private var context: ChannelHandlerContext?
    /// The channel's writability as its last change event said (below the high-water mark, a
    /// eighth of the bound): kept here so that a delivery to thousands of clients reads a field, not the
    /// channel's atomic, for each.
    private var writable = true

    init(streams: Streams, chunked: Bool, slot: ClientSlot?, limits: ServerLimits, logger: Logger) {
        self.hubs = streams.hubs
        self.paths = streams.paths
        switch streams {
        case .one(_, let lastEventID, let credential): single = (lastEventID, credential)
        case .multiplexed(let streams):
            single = nil
            multiplex = streams
        }
        self.chunked = chunked
        self.maximumQueuedBytes = limits.maximumQueuedBytes
        self.writeTimeout = limits.writeTimeout
        self.slot = slot
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state.start()
        writable = context.channel.isWritable
        // Counted from here until `leave`, so every full reported is reported drained once.
        if !writable { for hub in hubs { hub.subscriberIsFull(true) } }
        guard context.channel.isActive else { return }
        if let single {
            hubs[0].subscribe(self, on: context.eventLoop, lastEventID: single.lastEventID)
        } else if let multiplex {
            members = hubs.indices.map { MultiplexMember(stream: $0, credential: multiplex.credentials[$0], connection: self) }
            for member in members {
                // Each subscription's replay is written before the next stream's, and a member
                // may end the connection meanwhile (a slow client), so each checks it still is one.
                guard state.isStreaming else { return }
                hubs[member.stream].subscribe(member, on: context.eventLoop, lastEventID: self.multiplex?.resumeID(ofStream: member.stream))
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        channelGone(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        channelGone(context)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let now = context.channel.isWritable
        if now != writable, state.isStreaming { for hub in hubs { hub.subscriberIsFull(!now) } }
        writable = now
        if !now { watchProgress(context) }
        context.fireChannelWritabilityChanged()
    }

    /// Whatever the client sends now is not HTTP we answer; it is read and dropped so it cannot pile up.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A half-close leaves the stream open; see the type's comment.
        if case ChannelEvent.inputClosed = event {
            if state.isStreaming { write(chunked ? Self.probe.chunked : Self.probe.payload, context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("closing event stream after an error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func receive(_ event: EncodedEvent) {
        guard let context, keepsUp(context) else { return }
        write(chunked ? event.chunked : event.payload, context)
    }

    /// An event of stream `index` of a multiplexed connection, framed for it (``MultiplexedStreams``).
    func receive(_ event: EncodedEvent, fromStream index: Int) {
        guard let context, multiplex != nil, keepsUp(context) else { return }
        let (head, data, tail) = multiplex!.frame(event, stream: index, chunked: chunked)
        progress?.wrote(head.readableBytes + data.readableBytes)
        context.write(wrapOutboundOut(head), promise: nil)
        context.write(wrapOutboundOut(data), promise: nil)
        write(tail, context)
    }

    /// Whether the event may be written; a client that does not keep up is closed (see the type's comment).
    private func keepsUp(_ context: ChannelHandlerContext) -> Bool {
        switch state.deliver(writable: writable, queued: queuedBytes(context), bound: maximumQueuedBytes) {
        case .write:
            return true
        case .drop:
            return false
        case .close:
            logger.info("closing a client that does not keep up with its stream", metadata: ["stream.path": "\(paths)"])
            leave(context, reason: .slowClient)
            context.close(promise: nil)
            return false
        }
    }

    func receiveHeartbeat(_ comment: EncodedEvent) {
        guard let context else { return }
        switch state.heartbeat(queued: queuedBytes(context)) {
        case .write: write(chunked ? comment.chunked : comment.payload, context)
        case .watchProgress: watchProgress(context)
        case .skip: break
        }
    }

    func finish() {
        guard let context, state.close(.finished) else { return }
        leave(context)
        if chunked {
            context.writeAndFlush(wrapOutboundOut(Self.lastChunk)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    private func write(_ bytes: ByteBuffer, _ context: ChannelHandlerContext) {
        progress?.wrote(bytes.readableBytes)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    /// Starts the write-progress check if bytes are queued and none runs yet.
    private func watchProgress(_ context: ChannelHandlerContext) {
        guard let writeTimeout, progressCheck == nil, state.isStreaming else { return }
        var watch = progress ?? WriteProgress(timeout: writeTimeout)
        watch.start(queued: queuedBytes(context), now: context.eventLoop.now)
        progress = watch
        scheduleProgressCheck(context, every: .nanoseconds(writeTimeout.nanoseconds / 4))
    }

    private func scheduleProgressCheck(_ context: ChannelHandlerContext, every interval: TimeAmount) {
        progressCheck = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
            progressCheck = nil
            guard state.isStreaming, var watch = progress else { return }
            let verdict = watch.check(queued: queuedBytes(context), now: context.eventLoop.now)
            progress = watch
            switch verdict {
            case .drained:
                break
            case .moving:
                scheduleProgressCheck(context, every: interval)
            case .stalled:
                guard state.close(.stalled) else { return }
                logger.info("closing a client that took no bytes for the write timeout", metadata: ["stream.path": "\(paths)"])
                leave(context)
                context.close(promise: nil)
            }
        }
    }

    /// Bytes written to the channel and not yet taken by the kernel.
    private func queuedBytes(_ context: ChannelHandlerContext) -> Int {
        (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? (context.channel.isWritable ? 0 : Int.max)
    }

    /// The channel is gone: a connection still streaming leaves its hubs now.
    private func channelGone(_ context: ChannelHandlerContext) {
        if state.channelGone() { leave(context) }
        self.context = nil
    }

    /// Leaves every hub and gives back the client's place: called once, on the transition out of
    /// streaming (``SSEConnectionState``).
    private func leave(_ context: ChannelHandlerContext, reason: DisconnectReason = .clientClosed) {
        progressCheck?.cancel()
        progressCheck = nil
        if !writable { for hub in hubs { hub.subscriberIsFull(false) } }
        if single != nil { hubs[0].unsubscribe(self, on: context.eventLoop, reason: reason) }
        for member in members { hubs[member.stream].unsubscribe(member, on: context.eventLoop, reason: reason) }
        slot?.release()
    }
}

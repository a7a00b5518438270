import MirrorDocument
import NIOCore
import NIOHTTP1

/// Turns an HTTP response (NIOHTTP1's client decoder has already taken the chunked coding off)
/// into ``EventStreamPart``s: the framing of WHATWG HTML §9.2.6 as a handler, the decisions left
/// to ``StreamFollower``.
///
/// A `200` with `Content-Type: text/event-stream` is read by an ``EventStreamParser``; any other
/// answer keeps the first KiB of its body for the message and is passed on whole at its end. A
/// stream the parser refuses (a line past its bound) is an error, and the connection closes.
final class EventStreamDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = EventStreamPart

    private static let refusalBodyLimit = 1024

    private var parser: EventStreamParser
    private var refusedHead: HTTPResponseHead?
    private var refusalBody: [UInt8] = []
    private var failed = false

    init(lastEventID: String, limit: Int = EventStreamParser.defaultLimit) {
        parser = EventStreamParser(limit: limit, lastEventID: lastEventID)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            let type = head.headers.first(name: "content-type")?.lowercased() ?? ""
            if head.status == .ok && type.hasPrefix("text/event-stream") {
                context.fireChannelRead(wrapInboundOut(.opened(head)))
            } else {
                refusedHead = head
            }
        case .body(let buffer):
            if refusedHead != nil {
                refusalBody += buffer.readableBytesView.prefix(Self.refusalBodyLimit - refusalBody.count)
                return
            }
            let outputs: [EventStreamParser.Output]
            do {
                outputs = try parser.feed(buffer.readableBytesView)
            } catch {
                failed = true
                context.fireErrorCaught(error)
                context.close(promise: nil)
                return
            }
            for output in outputs {
                switch output {
                case .event(let event): context.fireChannelRead(wrapInboundOut(.event(event)))
                case .retry(let milliseconds): context.fireChannelRead(wrapInboundOut(.retry(milliseconds: milliseconds)))
                }
            }
        case .end:
            if let refusedHead {
                let body = String(decoding: refusalBody, as: UTF8.self)
                context.fireChannelRead(wrapInboundOut(.refused(refusedHead, body: body)))
            } else {
                parser.finish()
                context.fireChannelRead(wrapInboundOut(.ended))
            }
        }
    }
}

import MirrorDocument
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#endif

/// Follows one event stream the way an EventSource does (WHATWG HTML §9.2), and keeps the
/// document it describes (``FollowedDocument``): connects, applies each event, and when the
/// connection ends or fails waits the stream's reconnection time and resumes with `Last-Event-ID`.
///
/// It stops when the caller's handler says so, throws ``FollowFailure`` for an answer that retrying
/// cannot change (a `4xx`), and otherwise goes on until its task is cancelled.
public struct StreamFollower: Sendable {
    /// What the handler answers to each update.
    public enum Decision: Sendable {
        case proceed
        case stop
    }

    public let target: FollowTarget
    private let token: String?
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let lineLimit: Int

    /// - Parameters:
    ///   - token: sent as `Authorization: Bearer` (RFC 6750 §2.1), never shown.
    ///   - trustRoots: PEM certificates to trust for an `https` URL instead of the system's.
    public init(
        target: FollowTarget, token: String?, trustRoots: String? = nil, lineLimit: Int = 100_000,
        group: any EventLoopGroup
    ) throws {
        self.target = target
        self.token = token
        self.group = group
        self.lineLimit = lineLimit
        if target.isTLS {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let trustRoots { configuration.trustRoots = .file(trustRoots) }
            tls = try NIOSSLContext(configuration: configuration)
        } else {
            tls = nil
        }
    }

    /// Follows until `handle` answers ``Decision/stop``; `note` gets one line for a person for each
    /// reconnect, `invalid` or dropped document (never the token).
    public func run(
        note: (String) -> Void,
        handle: (FollowUpdate) -> Decision
    ) async throws {
        var session = Session(document: FollowedDocument(lineLimit: lineLimit))
        var attempts = 0
        while true {
            try Task.checkCancellation()
            let outcome: Session.End
            do {
                outcome = try await follow(&session, reconnected: attempts > 0, note: note, handle: handle)
            } catch let failure as FollowFailure {
                throw failure
            } catch let error as NIOSSLError {
                // A certificate that does not verify does not verify on the next try either.
                throw FollowFailure.tls(String(describing: error))
            } catch let error as BoringSSLError {
                throw FollowFailure.tls(String(describing: error))
            } catch where Task.isCancelled {
                throw CancellationError()
            } catch {
                outcome = .failed(describe(error))
            }
            attempts += 1
            if case .lostBase = outcome { session.delay.lostBase() } else { session.delay.keptBase() }
            let wait = session.delay.wait(jitter: Double.random(in: 0...1))
            switch outcome {
            case .stopped:
                return
            case .lostBase:
                // Start over without Last-Event-ID, so the server sends a whole `changed`, after
                // the reconnection time as for any failure: a server whose patches never apply
                // (or are refused as too large) would otherwise be asked again and again at once.
                note("reconnecting in \(Self.seconds(wait)) without Last-Event-ID")
            case .ended:
                note("the stream ended; reconnecting in \(Self.seconds(wait))")
            case .failed(let reason):
                note("\(reason); reconnecting in \(Self.seconds(wait))")
            }
            try await Task.sleep(for: wait)
        }
    }

    /// What one connection leaves behind for the next: the document, the id it is at, the delay.
    struct Session {
        enum End {
            case stopped
            case ended
            case lostBase
            case failed(String)
        }

        var document: FollowedDocument
        /// The id of the state ``document`` is at; nil when there is nothing to resume from.
        var lastEventID: String?
        var delay = ReconnectDelay()
    }

    /// One connection, from connect to its end.
    private func follow(
        _ session: inout Session, reconnected: Bool, note: (String) -> Void, handle: (FollowUpdate) -> Decision
    ) async throws -> Session.End {
        let head = StreamRequest.head(for: target, lastEventID: session.lastEventID, token: token)
        let channel = try await connect(lastEventID: session.lastEventID ?? "")
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            for try await part in inbound {
                switch part {
                case .opened:
                    if reconnected { note("connected") }
                case .refused(let head, let body):
                    if head.status == .ok {
                        throw FollowFailure.notAnEventStream(contentType: head.headers.first(name: "content-type") ?? "")
                    }
                    let failure = FollowFailure.refused(head.status, body: body)
                    if FollowFailure.isRetryable(head.status) { return .failed(failure.description) }
                    throw failure
                case .retry(let milliseconds):
                    session.delay.take(retry: milliseconds)
                case .event(let event):
                    let outcome = session.document.apply(event)
                    switch outcome {
                    case .lostBase(let reason):
                        note("dropped the document: \(reason)")
                        session.lastEventID = nil
                        _ = handle(FollowUpdate(event: event, outcome: outcome, document: nil))
                        return .lostBase
                    case .invalid(let message):
                        note("the stream is invalid now (the last document stays): \(message)")
                    case .updated, .removed, .ignored:
                        break
                    }
                    if !event.lastEventID.isEmpty { session.lastEventID = event.lastEventID }
                    let update = FollowUpdate(event: event, outcome: outcome, document: session.document.document)
                    if handle(update) == .stop { return .stopped }
                case .ended:
                    return .ended
                }
            }
            return .ended
        }
    }

    private func connect(lastEventID: String) async throws -> NIOAsyncChannel<EventStreamPart, HTTPClientRequestPart> {
        let target = self.target
        let tls = self.tls
        return try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            // A server gone without a FIN is found, as the server finds its clients (PROTOCOL.md "Limits").
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(
                            context: tls, serverHostname: target.hostIsAddress ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(EventStreamDecoder(lastEventID: lastEventID))
                    return try NIOAsyncChannel<EventStreamPart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// A connection error as one line: "connection refused", not a struct dump.
    private func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            let cause = error.connectionErrors.first.map { ": \(Self.reason($0.error))" } ?? ""
            return "cannot connect to \(target.host):\(target.port)\(cause)"
        }
        if let error = error as? IOError { return "the connection failed: \(error.description)" }
        if let error = error as? EventStreamError { return "the stream is unreadable: \(error)" }
        return "the connection failed: \(error)"
    }

    /// "Connection refused" for an errno, the error's own words otherwise.
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return String(cString: strerror(error.errnoCode))
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s"
    }
}

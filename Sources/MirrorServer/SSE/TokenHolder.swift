import MirrorCore

/// A subscriber let in with a token, so that a reload that removes the token can find and end it.
protocol TokenHolder: EventSink {
    /// The digest of the token the client presented for this stream; nil when the stream was open.
    var credential: [UInt8]? { get }
}

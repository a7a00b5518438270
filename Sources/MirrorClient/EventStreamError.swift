/// Why an event stream could not be read: a line or an event larger than the reader's bound.
///
/// The parser keeps at most one line and one event's data in memory; a stream that exceeds that
/// is refused rather than buffered without end.
public struct EventStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case lineTooLong
        case eventTooLarge
    }

    private let kind: Kind
    /// The bound in bytes that was exceeded.
    public let limit: Int

    public static func lineTooLong(limit: Int) -> EventStreamError { EventStreamError(kind: .lineTooLong, limit: limit) }
    public static func eventTooLarge(limit: Int) -> EventStreamError { EventStreamError(kind: .eventTooLarge, limit: limit) }

    public var description: String {
        switch kind {
        case .lineTooLong: "a line of the event stream is longer than \(limit) bytes"
        case .eventTooLarge: "an event's data is larger than \(limit) bytes"
        }
    }
}

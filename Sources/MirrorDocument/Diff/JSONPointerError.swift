/// Why a string is not a JSON pointer (RFC 6901 §3).
public struct JSONPointerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that failed to parse.
    public var pointer: String
    public var message: String

    public init(pointer: String, message: String) {
        self.pointer = pointer
        self.message = message
    }

    public var description: String { "\(message): \"\(pointer)\"" }
}

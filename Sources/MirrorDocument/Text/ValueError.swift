/// A value that does not parse; the config loader adds the file and mark.
public struct ValueError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

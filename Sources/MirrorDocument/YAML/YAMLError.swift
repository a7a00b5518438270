/// A YAML text that libyaml could not parse, or that uses a construct a config file does not allow.
public struct YAMLError: Error, Sendable, Equatable {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }
}

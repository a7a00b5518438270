/// A stream the engine cannot start, named by its path and `watch`.
public struct EngineError: Error, CustomStringConvertible {
    public var path: String
    public var watch: String
    public var message: String

    init(stream: StreamConfig, message: String) {
        self.path = stream.path
        self.watch = stream.watch
        self.message = message
    }

    public var description: String { "stream \(path) (watch: \(watch)): \(message)" }
}

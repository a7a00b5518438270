/// One event as an EventSource would dispatch it.
public struct ReceivedEvent: Equatable, Sendable, CustomStringConvertible {
    public var name: String
    public var id: String?
    public var data: String

    public init(name: String, id: String?, data: String) {
        self.name = name
        self.id = id
        self.data = data
    }

    public var description: String { "\(name)#\(id ?? "-") \(data)" }
}

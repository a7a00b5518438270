import MirrorClient
import MirrorDocument

/// What `follow` prints for each update, and when it has seen enough: the decisions of
/// `--print` and `--until`, apart from the connection.
struct FollowPrinter {
    let mode: FollowCommand.PrintMode
    let condition: FollowCondition?
    /// The document last printed, so that a `changed` equal to it (after an `invalid`, or the
    /// first event of a resumed connection that had to start over) prints nothing new.
    private var printed: JSONValue?

    init(mode: FollowCommand.PrintMode, condition: FollowCondition?) {
        self.mode = mode
        self.condition = condition
    }

    mutating func take(_ update: FollowUpdate) -> StreamFollower.Decision {
        switch mode {
        case .events:
            guard FileOutput.writeAll(update.event.text, to: 1) else { return .stop }
            return condition?.isSatisfied(by: update.document) == true ? .stop : .proceed
        case .doc:
            if let condition {
                // Only the document that satisfies the condition is printed, once.
                guard let document = update.document, condition.isSatisfied(by: document) else { return .proceed }
                write(document)
                return .stop
            }
            switch update.outcome {
            case .updated:
                guard let document = update.document, document != printed else { return .proceed }
                printed = document
                return write(document) ? .proceed : .stop
            case .removed:
                printed = nil
                var stderr = StandardError()
                print("sse-mirror follow: the stream has no document now (removed)", to: &stderr)
                return .proceed
            case .invalid, .ignored, .lostBase:
                return .proceed
            }
        }
    }

    /// Compact JSON and a newline: one line per version, for `while read` and `jq`.
    @discardableResult
    private func write(_ document: JSONValue) -> Bool {
        var bytes = JSONSerializer.serialize(document)
        bytes.append(0x0A)
        return FileOutput.writeAll(bytes, to: 1)
    }
}

public import NIOHTTP1

/// Whether a GET of a stream's path wants the event stream or the current document as JSON,
/// from its `Accept` field (RFC 9110 §12.5.1).
///
/// EventSource sends `Accept: text/event-stream`, curl sends `*/*`: both get the stream, as they
/// always did. A request that names `application/json` with a higher weight than any range that
/// covers `text/event-stream` gets the document instead, so `curl -H 'Accept: application/json'`
/// and `fetch` with that header read the current state in one answer.
public enum MediaPreference: Sendable, Equatable {
    case eventStream
    case json

    public init(accept fields: [String]) {
        var json = 0.0
        var stream = 0.0
        for field in fields {
            for range in field.split(separator: ",") {
                let parts = range.split(separator: ";")
                guard let type = parts.first?.trimmingSpaces.lowercased() else { continue }
                var weight = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    if pair.count == 2, pair[0].trimmingSpaces.lowercased() == "q" {
                        weight = Double(pair[1].trimmingSpaces) ?? 0
                    }
                }
                switch type {
                case "application/json": json = max(json, weight)
                case "text/event-stream", "text/*", "*/*": stream = max(stream, weight)
                default: break
                }
            }
        }
        self = json > 0 && json > stream ? .json : .eventStream
    }

    public init(headers: HTTPHeaders) {
        self.init(accept: headers["Accept"])
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

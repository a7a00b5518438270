/// Finds where a request head ends (the empty line after the header fields, RFC 9112 §2.1) in
/// bytes that arrive in pieces, and counts the head's bytes against a bound.
///
/// Empty lines before the request line are skipped (RFC 9112 §2.2) and not counted; a bare LF
/// ends a line as CRLF does, as the decoder accepts both.
struct HeadEndScanner {
    enum Verdict: Equatable {
        /// The head goes on past these bytes.
        case inHead
        /// The head ended within these bytes.
        case ended
        /// The head is already larger than the bound.
        case tooLarge
    }

    let maximumBytes: Int
    private var count = 0
    private var started = false
    /// Whether the current line has anything but CR so far.
    private var lineHasContent = false

    init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    mutating func feed(_ bytes: some Sequence<UInt8>) -> Verdict {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if started, !lineHasContent { return .ended }
                lineHasContent = false
            case UInt8(ascii: "\r"):
                break
            default:
                started = true
                lineHasContent = true
            }
            if started {
                count += 1
                if count > maximumBytes { return .tooLarge }
            }
        }
        return .inHead
    }
}

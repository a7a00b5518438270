/// Where an `omit` or a `redact` acts: an RFC 6901 pointer, or a dotted key path with wildcards.
///
/// The grammar (PROTOCOL.md, "Transforms"):
/// - text that starts with `/` is a JSON pointer (RFC 6901 §3: `~0` for `~`, `~1` for `/`), which
///   names one place;
/// - any other text is a dotted path from the root: keys separated by `.`, none empty. Within a
///   key, `*` matches any run of characters (`secret*` matches `secret` and `secretKey`, not
///   `mysecret`); a segment that is exactly `**` matches any number of levels, none included, so
///   `**.token` matches a top-level `token` as well as one at any depth. `**` cannot end a path.
///   `\.`, `\*` and `\\` write a literal `.`, `*` and `\` in a key; a key that starts with `/` or
///   holds other oddities is better written as a pointer;
/// - an array element is matched by its index written in decimal, as a pointer names it (§4): the
///   segment `0` or `*` matches it, `00` does not, and `**` crosses arrays as it crosses objects.
///
/// A pattern never matches the document itself, only values inside it.
///
/// Keys match by Unicode scalars (``ScalarString``): a key written in NFC in mirror.yaml matches
/// a document's key only if it is spelled the same way, byte for byte. Two patterns are equal
/// when their text is, scalar for scalar (the segments follow from the text).
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        /// One key exactly: the object member of that name, or the array element whose index it
        /// spells (`index`, nil when it spells none).
        case key(String, index: Int?)
        /// A key with `*` in it.
        case glob(KeyGlob)
        /// `**`: any number of levels, none included.
        case anyDepth
    }

    /// The pattern as written, which is how config errors and docs speak of it.
    public let text: String
    let segments: [Segment]

    public var description: String { text }

    public static func == (lhs: PathPattern, rhs: PathPattern) -> Bool {
        lhs.text.hasSameScalars(as: rhs.text)
    }

    public func hash(into hasher: inout Hasher) {
        text.hashScalars(into: &hasher)
    }

    public init(_ text: String) throws(PathPatternError) {
        guard !text.isEmpty else {
            throw PathPatternError(pattern: text, message: "a pattern may not be empty")
        }
        self.text = text
        if text.utf8.first == UInt8(ascii: "/") {
            let pointer: JSONPointer
            do {
                pointer = try JSONPointer(text)
            } catch {
                throw PathPatternError(pattern: text, message: error.message)
            }
            segments = pointer.tokens.map { .key($0, index: JSONPointer.arrayIndex($0)) }
        } else {
            segments = try Self.dotted(text)
        }
    }

    /// The segments of a dotted path, each checked: none empty, `**` alone between dots and
    /// followed by a key, a backslash only before `.`, `*` or `\`.
    private static func dotted(_ text: String) throws(PathPatternError) -> [Segment] {
        func failure(_ message: String) -> PathPatternError { PathPatternError(pattern: text, message: message) }
        var segments: [Segment] = []
        // The current key as pieces between unescaped stars; `written` counts what the key holds.
        var pieces = [""]
        var written = 0
        func finish() throws(PathPatternError) {
            guard written > 0 else {
                throw failure(
                    "a key may not be empty (a '.' at the start or end, or '..'); write an empty key as a JSON pointer"
                )
            }
            defer {
                pieces = [""]
                written = 0
            }
            if pieces.count == 1 {
                segments.append(.key(pieces[0], index: JSONPointer.arrayIndex(pieces[0])))
                return
            }
            if pieces == ["", "", ""] {
                if case .anyDepth = segments.last { throw failure("'**.**' says no more than '**'") }
                segments.append(.anyDepth)
                return
            }
            // Two stars with nothing between: `a**` or `***`, where one star would do.
            if pieces.dropFirst().dropLast().contains(where: \.isEmpty) {
                throw failure("'**' stands alone between dots (**.token); within a key one '*' matches any characters")
            }
            segments.append(.glob(KeyGlob(pieces: pieces)))
        }
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar {
            case ".":
                try finish()
            case "*":
                pieces.append("")
                written += 1
            case "\\":
                guard let escaped = scalars.next(), escaped == "." || escaped == "*" || escaped == "\\" else {
                    throw failure("'\\' must be followed by '.', '*' or '\\' (a literal character in a key)")
                }
                pieces[pieces.count - 1].unicodeScalars.append(escaped)
                written += 1
            default:
                pieces[pieces.count - 1].unicodeScalars.append(scalar)
                written += 1
            }
        }
        try finish()
        if case .anyDepth = segments.last {
            throw failure("'**' must be followed by a key, as in **.token")
        }
        return segments
    }
}

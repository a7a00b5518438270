/// A key written with `*` wildcards (`secret*`, `*_token`, `*`): each `*` matches any run of
/// characters within one key, none included.
///
/// Characters compare as Swift strings do (Unicode canonical equivalence), the way
/// ``JSONObject`` looks keys up, so a pattern and an exact key never disagree on what is equal.
struct KeyGlob: Sendable, Hashable {
    /// The literal pieces around the stars: `secret*` is `["secret", ""]`, `*` is `["", ""]`,
    /// `a*b*c` is `["a", "b", "c"]`. Always at least two.
    let pieces: [String]

    init(pieces: [String]) {
        precondition(pieces.count >= 2, "a glob has at least one star")
        self.pieces = pieces
    }

    /// `*` alone, which matches every key and every index.
    var matchesEverything: Bool { pieces.count == 2 && pieces[0].isEmpty && pieces[1].isEmpty }

    func matches(_ key: String) -> Bool {
        if matchesEverything { return true }
        guard key.hasPrefix(pieces[0]) else { return false }
        var rest = key.dropFirst(pieces[0].count)
        // The pieces between stars, leftmost first: taking the earliest place for each leaves the
        // most room for the rest, so a greedy search finds a match whenever there is one.
        for piece in pieces.dropFirst().dropLast() {
            guard let end = Self.end(of: piece, in: rest) else { return false }
            rest = rest[end...]
        }
        let last = pieces[pieces.count - 1]
        return rest.hasSuffix(last)
    }

    /// Where the first occurrence of `piece` in `text` ends, or nil.
    private static func end(of piece: String, in text: Substring) -> Substring.Index? {
        var start = text.startIndex
        while true {
            if text[start...].starts(with: piece) { return text.index(start, offsetBy: piece.count) }
            guard start < text.endIndex else { return nil }
            start = text.index(after: start)
        }
    }
}

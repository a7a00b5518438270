/// A key written with `*` wildcards (`secret*`, `*_token`, `*`): each `*` matches any run of
/// Unicode scalars within one key, none included.
///
/// Keys and pieces compare by Unicode scalars, the way ``JSONObject`` looks keys up
/// (``ScalarString``), so a pattern and an exact key never disagree on what is equal: `café*`
/// written in NFC does not match a key spelled in NFD. The match runs on UTF-8 bytes, which is
/// the same thing: a piece of valid UTF-8 can only match where a scalar starts.
struct KeyGlob: Sendable, Equatable {
    /// The literal pieces around the stars: `secret*` is `["secret", ""]`, `*` is `["", ""]`,
    /// `a*b*c` is `["a", "b", "c"]`. Always at least two.
    let pieces: [String]
    /// The pieces' UTF-8 bytes, what a match compares.
    private let bytes: [[UInt8]]

    init(pieces: [String]) {
        precondition(pieces.count >= 2, "a glob has at least one star")
        self.pieces = pieces
        self.bytes = pieces.map { Array($0.utf8) }
    }

    static func == (lhs: KeyGlob, rhs: KeyGlob) -> Bool {
        lhs.bytes == rhs.bytes
    }

    /// `*` alone, which matches every key and every index.
    var matchesEverything: Bool { pieces.count == 2 && pieces[0].isEmpty && pieces[1].isEmpty }

    func matches(_ key: String) -> Bool {
        if matchesEverything { return true }
        var key = key
        return key.withUTF8 { matches($0[...]) }
    }

    private func matches(_ key: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let first = bytes[0]
        guard key.starts(with: first) else { return false }
        var rest = key.dropFirst(first.count)
        // The pieces between stars, leftmost first: taking the earliest place for each leaves the
        // most room for the rest, so a greedy search finds a match whenever there is one.
        for piece in bytes.dropFirst().dropLast() {
            guard let end = Self.end(of: piece, in: rest) else { return false }
            rest = rest[end...]
        }
        let last = bytes[bytes.count - 1]
        return rest.count >= last.count && rest.suffix(last.count).elementsEqual(last)
    }

    /// Where the first occurrence of `piece` in `text` ends, or nil.
    private static func end(of piece: [UInt8], in text: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard piece.count <= text.count else { return nil }
        for start in text.startIndex...(text.endIndex - piece.count)
        where text[start..<(start + piece.count)].elementsEqual(piece) {
            return start + piece.count
        }
        return nil
    }
}

/// Matches several ``PathPattern``s in one walk down a document, the way a glob matcher runs a
/// small automaton: each pattern has a set of positions it may have reached at the current value,
/// and a step into a member or element moves them on.
///
/// A walk needs to go below a value only while some position is live there, so a pattern without
/// `**` visits just the path it names, however large the document.
struct PatternMatcher: Sendable {
    /// How far one pattern has got: its next segment to match.
    struct Position: Sendable, Hashable {
        var pattern: Int
        var segment: Int
    }

    /// A step down from a container: into an object member by key, or an array element by index.
    enum Step {
        case member(String)
        case element(Int)
    }

    let patterns: [PathPattern]

    init(_ patterns: [PathPattern]) {
        self.patterns = patterns
    }

    /// Where every pattern stands at the document's root.
    var start: [Position] {
        expanded(patterns.indices.map { Position(pattern: $0, segment: 0) })
    }

    /// One step down from a value at `positions`: whether a pattern ends at the child (so the
    /// child is matched), and the positions to go on with below it (empty: nothing below matches).
    /// `descending` false (the child holds no values) skips working out the positions below.
    func step(_ positions: [Position], _ step: Step, descending: Bool) -> (matched: Bool, below: [Position]) {
        var matched = false
        var below: [Position] = []
        for position in positions {
            let segments = patterns[position.pattern].segments
            switch segments[position.segment] {
            case .anyDepth:
                // `**` may take this level too; the segment after it was tried by `expanded`.
                if descending { below.append(position) }
            case let segment:
                guard Self.matches(segment, step) else { continue }
                if position.segment + 1 == segments.count {
                    matched = true
                } else if descending {
                    below.append(Position(pattern: position.pattern, segment: position.segment + 1))
                }
            }
        }
        return (matched, below.isEmpty ? below : expanded(below))
    }

    /// Adds, for each position at `**`, the position after it (`**` matching no level), and
    /// drops duplicates.
    private func expanded(_ positions: [Position]) -> [Position] {
        var result: [Position] = []
        result.reserveCapacity(positions.count + 1)
        for position in positions {
            if !result.contains(position) { result.append(position) }
            if case .anyDepth = patterns[position.pattern].segments[position.segment] {
                // A path never ends with `**`, and `**.**` is refused, so the next one is a key.
                let next = Position(pattern: position.pattern, segment: position.segment + 1)
                if !result.contains(next) { result.append(next) }
            }
        }
        return result
    }

    private static func matches(_ segment: PathPattern.Segment, _ step: Step) -> Bool {
        switch (segment, step) {
        case (.key(let key, _), .member(let name)): key.hasSameScalars(as: name)
        case (.key(_, let index), .element(let position)): index == position
        case (.glob(let glob), .member(let name)): glob.matches(name)
        case (.glob(let glob), .element(let position)): glob.matchesEverything || glob.matches(String(position))
        case (.anyDepth, _): false
        }
    }
}

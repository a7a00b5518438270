/// `omit` and `redact`: removes, or replaces, every value that one of a rule's patterns matches.
///
/// All the patterns of one rule match against the document as it was before the rule, so
/// `omit: [/list/0, /list/1]` removes the first two elements, not the first and the third. A
/// matched value is removed or replaced whole, with whatever it holds; a pattern that matches
/// nothing changes nothing (a rewrite never adds a member).
///
/// The walk only reads the document; a container is copied (one level, shallowly) only when
/// something inside it changes, so a document with nothing to rewrite comes back as it was.
struct PatternRewrite: Sendable {
    enum Action: Sendable {
        /// Drop the member from its object, the element from its array.
        case remove
        /// Put this value in its place.
        case replace(JSONValue)
    }

    let matcher: PatternMatcher
    let action: Action

    init(_ patterns: [PathPattern], _ action: Action) {
        self.matcher = PatternMatcher(patterns)
        self.action = action
    }

    func apply(to document: JSONValue) -> JSONValue {
        rewrite(document, at: matcher.start) ?? document
    }

    /// The value with its matches rewritten, or nil when nothing in it changes.
    private func rewrite(_ value: JSONValue, at positions: [PatternMatcher.Position]) -> JSONValue? {
        switch value {
        case .object(let object):
            let keys = object.keys
            let values = object.values
            var changed: [JSONValue]?
            var removed: [Int] = []
            for position in keys.indices {
                let child = values[position]
                let step = matcher.step(positions, .member(keys[position]), descending: child.isContainer)
                switch outcome(of: child, step) {
                case .kept: continue
                case .removed: removed.append(position)
                case .replaced(let replacement):
                    if changed == nil { changed = values }
                    changed![position] = replacement
                }
            }
            guard changed != nil || !removed.isEmpty else { return nil }
            let kept = Self.removing(removed, from: changed ?? values)
            return .object(JSONObject(uniqueKeys: Self.removing(removed, from: keys), values: kept))
        case .array(let elements):
            var changed: [JSONValue]?
            var removed: [Int] = []
            for position in elements.indices {
                let child = elements[position]
                let step = matcher.step(positions, .element(position), descending: child.isContainer)
                switch outcome(of: child, step) {
                case .kept: continue
                case .removed: removed.append(position)
                case .replaced(let replacement):
                    if changed == nil { changed = elements }
                    changed![position] = replacement
                }
            }
            guard changed != nil || !removed.isEmpty else { return nil }
            return .array(Self.removing(removed, from: changed ?? elements))
        default:
            return nil
        }
    }

    /// What becomes of one member or element.
    private enum Outcome {
        case kept
        case removed
        /// Replaced by the action's value, or by itself with something inside rewritten.
        case replaced(JSONValue)
    }

    private func outcome(of child: JSONValue, _ step: (matched: Bool, below: [PatternMatcher.Position])) -> Outcome {
        if step.matched {
            switch action {
            case .remove: return .removed
            case .replace(let value): return .replaced(value)
            }
        }
        guard !step.below.isEmpty, let rewritten = rewrite(child, at: step.below) else { return .kept }
        return .replaced(rewritten)
    }

    /// `items` without the positions in `removed` (ascending).
    private static func removing<T>(_ removed: [Int], from items: [T]) -> [T] {
        guard !removed.isEmpty else { return items }
        var kept: [T] = []
        kept.reserveCapacity(items.count - removed.count)
        var next = removed.makeIterator()
        var skip = next.next()
        for (position, item) in items.enumerated() {
            if position == skip {
                skip = next.next()
            } else {
                kept.append(item)
            }
        }
        return kept
    }
}

extension JSONValue {
    /// An object or an array: a value that patterns can go below.
    var isContainer: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }
}

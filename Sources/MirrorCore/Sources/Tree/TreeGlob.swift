/// Which files of a directory stream are entries, and which folder the keys are relative to.
///
/// `watch: build/artifacts/` takes every regular file under the folder. A pattern
/// (`build/**/*.tar.gz`) is split at its first segment with a glob character: the segments before
/// it are the root (watched, and what keys are relative to), the rest is matched against each
/// file's relative path, segment by segment. The grammar is the shell's (POSIX.1-2017 §2.13) plus
/// `**`:
///
/// - `**` as a whole segment matches zero or more folders (`a/**/b` matches `a/b` and `a/x/y/b`);
/// - `*` matches any run of characters within a segment, `?` exactly one;
/// - `[abc]`, `[a-z]`, `[!a-z]` (or `[^a-z]`) match one character of a class;
/// - `\` takes the next character literally.
///
/// As in the shell, a `*` or `?` matches a leading `.` too: dotfiles are not special here.
public struct TreeGlob: Sendable, Equatable {
    /// The absolute folder the keys are relative to.
    public let root: String
    /// The pattern's segments after the root; nil when every file under the root is an entry.
    public let segments: [String]?

    public init(watchPath: String) {
        let parts = watchPath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.firstIndex(where: Self.hasGlobCharacter) else {
            root = watchPath
            segments = nil
            return
        }
        root = "/" + parts[..<first].joined(separator: "/")
        segments = Array(parts[first...])
    }

    static func hasGlobCharacter(_ segment: String) -> Bool {
        segment.contains(where: { "*?[".contains($0) })
    }

    /// Whether the file at `key` (relative, `/`-separated) is an entry.
    public func matches(_ key: String) -> Bool {
        guard let segments else { return true }
        return Self.matches(segments[...], key.split(separator: "/", omittingEmptySubsequences: false)[...])
    }

    /// Matches path segments, `**` taking zero or more of them.
    static func matches(_ pattern: ArraySlice<String>, _ path: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            let rest = pattern.dropFirst()
            var tail = path
            while true {
                if matches(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        }
        guard let segment = path.first, matchesSegment(head, segment) else { return false }
        return matches(pattern.dropFirst(), path.dropFirst())
    }

    /// Matches one segment against `*`, `?`, `[...]` and `\`, by Unicode scalar.
    public static func matchesSegment(_ pattern: String, _ name: Substring) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let n = Array(name.unicodeScalars)
        // Iterative matching with one backtrack point for the last `*` (linear for typical globs).
        var pi = 0, ni = 0
        var star: (p: Int, n: Int)?
        while ni < n.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    star = (pi, ni)
                    pi += 1
                    continue
                case "?":
                    pi += 1
                    ni += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(p, at: pi, n[ni]) {
                        if matched {
                            pi = next
                            ni += 1
                            continue
                        }
                    } else if n[ni] == "[" {
                        // An unclosed `[` is a literal.
                        pi += 1
                        ni += 1
                        continue
                    }
                case "\\" where pi + 1 < p.count:
                    if p[pi + 1] == n[ni] {
                        pi += 2
                        ni += 1
                        continue
                    }
                default:
                    if p[pi] == n[ni] {
                        pi += 1
                        ni += 1
                        continue
                    }
                }
            }
            guard let last = star else { return false }
            star = (last.p, last.n + 1)
            pi = last.p + 1
            ni = last.n + 1
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// A bracket expression at `start`: whether `c` is in it and the index after it; nil when the
    /// `[` is not closed (it is then an ordinary character).
    private static func matchClass(_ p: [Unicode.Scalar], at start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.count && (p[i] == "!" || p[i] == "^") {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.count {
            if p[i] == "]" && !first { return (matched != negated, i + 1) }
            first = false
            var low = p[i]
            if low == "\\" && i + 1 < p.count {
                i += 1
                low = p[i]
            }
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                let high = p[i + 2]
                if low.value <= c.value && c.value <= high.value { matched = true }
                i += 3
            } else {
                if low == c { matched = true }
                i += 1
            }
        }
        return nil
    }
}

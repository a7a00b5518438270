/// A shortest edit script between two sequences, by Myers' greedy algorithm ("An O(ND)
/// Difference Algorithm and Its Variations", 1986), stopped once the distance passes a cap.
///
/// Time is O((N+M)·D) and memory O(D·cap) for the trace, so a few edits in a 50,000-element
/// array are found quickly, and a wholesale rewrite gives up early instead of going quadratic.
struct ArrayEditScript {
    enum Edit: Equatable {
        /// The next old element stays (it equals the next new one).
        case keep
        /// The next old element goes.
        case delete
        /// The next new element comes in.
        case insert
    }

    /// The edits turning `oldCount` elements into `newCount`, or nil when more than
    /// `maximumDistance` inserts and deletes would be needed. `equal(i, j)` compares old element
    /// `i` with new element `j`.
    static func edits(
        oldCount n: Int, newCount m: Int, maximumDistance: Int, equal: (Int, Int) -> Bool
    ) -> [Edit]? {
        let limit = min(n + m, maximumDistance)
        guard abs(n - m) <= limit else { return nil }
        let offset = limit + 1
        // v[offset + k]: the furthest x reached on diagonal k = x - y.
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, equal(x, y) {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    return backtrack(trace, n: n, m: m, offset: offset)
                }
            }
        }
        return nil
    }

    private static func backtrack(_ trace: [[Int]], n: Int, m: Int, offset: Int) -> [Edit] {
        var edits: [Edit] = []
        edits.reserveCapacity(n + m)
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? k + 1 : k - 1
            let previousX = v[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                edits.append(.keep)
                x -= 1
                y -= 1
            }
            if d > 0 {
                edits.append(x == previousX ? .insert : .delete)
            }
            x = previousX
            y = previousY
        }
        return edits.reversed()
    }
}

import Synchronization

/// How many clients hold a place, against an optional bound: one per stream (`max_clients` of the
/// stream) and one for the whole server (`limits.max_clients`).
///
/// Clients join and leave on different event loops at once, so the count is one atomic:
/// ``admit()`` takes a place with a compare-and-exchange that never passes the bound, and
/// ``release()`` gives one back. Each admission is released exactly once by its holder (see the
/// server's `ClientSlot`), so the count never goes negative.
public final class ClientCounter: Sendable {
    /// The most places at once; nil is no bound (the count is still kept, for `isFull` and logs).
    public let limit: Int?
    private let taken = Atomic<Int>(0)

    public init(limit: Int?) {
        self.limit = limit
    }

    /// The places taken now.
    public var count: Int { taken.load(ordering: .relaxed) }

    /// Whether a new client would be refused now.
    public var isFull: Bool {
        guard let limit else { return false }
        return count >= limit
    }

    /// Takes a place if one is free.
    public func admit() -> Bool {
        var current = taken.load(ordering: .relaxed)
        while true {
            if let limit, current >= limit { return false }
            let (exchanged, original) = taken.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
    }

    /// Gives back a place taken by ``admit()``.
    public func release() {
        let left = taken.subtract(1, ordering: .acquiringAndReleasing).newValue
        precondition(left >= 0, "a client place was released more often than taken")
    }
}

import NIOCore

/// How long a client refused for want of room waits before it comes back: a random point in a
/// range, so that clients refused together (a server full at once) do not all return together.
struct RetryBackoff {
    let range: ClosedRange<TimeAmount>

    /// A delay drawn uniformly from the range, in whole milliseconds (what `retry:` takes).
    func next() -> TimeAmount {
        let milliseconds = Int64.random(in: range.lowerBound.nanoseconds / 1_000_000...range.upperBound.nanoseconds / 1_000_000)
        return .milliseconds(milliseconds)
    }
}

extension TimeAmount {
    /// Whole seconds, rounded up: `Retry-After` takes seconds (RFC 9110 §10.2.3), and rounding
    /// down could ask a client back before the delay it was given.
    var wholeSecondsRoundedUp: Int64 {
        (nanoseconds + 999_999_999) / 1_000_000_000
    }
}

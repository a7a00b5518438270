extension Duration {
    /// The duration in whole milliseconds, rounded up: a poll(2) timeout that never ends just
    /// before its deadline, which would spin.
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

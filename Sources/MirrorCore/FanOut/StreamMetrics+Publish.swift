extension StreamMetrics {
    /// What a publication tells the metrics apart from delivery: its `invalid` events (watch
    /// errors) and, for a change the watcher noticed, the time from then to now.
    func published(_ publications: [StreamHub.Publication], noticed: ContinuousClock.Instant?) {
        let invalid = publications.count { if case .invalid = $0 { true } else { false } }
        if invalid > 0 { watchErrors.increment(by: invalid) }
        if let noticed {
            let (seconds, attoseconds) = noticed.duration(to: .now).components
            changeToEvent.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }
}

/// Polls `condition` every `interval` until it holds or `timeout` has passed, and returns whether
/// it held. It looks once more after the deadline: on a loaded machine this task may not run for
/// the whole wait (two cores, the cooperative pool busy with other tests), and a condition that
/// holds by then must not be reported as one that never did.
func poll(
    timeout: Duration, every interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

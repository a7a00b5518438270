public import Testing

/// Polls `condition` every `interval` until it holds or `timeout` has passed, and returns whether
/// it held. It looks once more after the deadline: on a loaded machine this task may not run for
/// the whole wait (two cores, the cooperative pool busy with other tests), and a condition that
/// holds by then must not be reported as one that never did.
public func poll(
    timeout: Duration, every interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

/// Waits until `condition` holds, and fails the test (recording where it was called from) and
/// throws ``TimeoutError`` if it has not after `timeout`. The default timeout only guards against
/// a condition that never comes (a loaded machine may take seconds for what takes milliseconds
/// alone); a test that means a bound passes its own.
public func eventually(
    timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async -> Bool
) async throws {
    if try await poll(timeout: timeout, { await condition() }) { return }
    Issue.record("condition never held", sourceLocation: sourceLocation)
    throw TimeoutError()
}

/// What a wait throws when what it waited for did not come in time.
public struct TimeoutError: Error {
    public init() {}
}

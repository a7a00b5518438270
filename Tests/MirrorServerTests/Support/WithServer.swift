/// A server a test starts: a ``MirrorFixture`` in the test process, or a ``ServerProcess``.
protocol TestServer: Sendable {
    /// Stops the server and returns once it is gone: its loops shut down or its process reaped,
    /// its port closed, its slot given back (and a fixture's folder removed). A second call does
    /// nothing, so a test may stop its server itself to look at the shutdown.
    func tearDown() async
}

/// Runs `body` with `server`, then tears the server down and waits until that is done, whether
/// `body` returned or threw.
///
/// A stop left to a deferred `Task { await fixture.stop() }` was never waited for: the test ended (and the next one
/// began) while its server still ran, and a teardown still queued when the test process exited
/// never ran at all. The teardown runs in a task of its own, so a test cancelled by its time limit
/// still waits for it (a cancelled task's sleeps return at once, and its stop would spin).
func withServer<Server: TestServer, Value>(
    _ server: Server,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Server) async throws -> Value
) async throws -> Value {
    let outcome: Result<Value, any Error>
    do {
        outcome = .success(try await body(server))
    } catch {
        outcome = .failure(error)
    }
    await Task { await server.tearDown() }.value
    return try outcome.get()
}

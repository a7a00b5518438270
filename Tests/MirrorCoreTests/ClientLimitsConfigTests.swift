import MirrorCore
import Testing

/// `limits:` and a stream's `max_clients` (README.md, "Limits"); the bad values are among
/// ``ConfigLoaderTests`` `rejectsWithLineAndColumn`.
@Suite("mirror.yaml limits")
struct ClientLimitsConfigTests {
    @Test func defaults() throws {
        let config = try load("streams:\n  - path: /a\n    watch: a.json\n")
        #expect(config.limits == ClientLimits())
        #expect(config.limits.clientBuffer == 4 << 20)
        #expect(config.limits.writeTimeout == .seconds(30))
        #expect(config.limits.maxClients == nil)
        #expect(config.limits.keepalive == TCPKeepalive(idle: .seconds(30), interval: .seconds(10), count: 3))
        #expect(config.limits.keepalive.userTimeout == .seconds(60))
        #expect(config.streams[0].maxClients == nil)
    }

    @Test func everyKey() throws {
        let config = try load(
            """
            limits:
              client_buffer: 256KiB
              write_timeout: 5s
              max_clients: 10000
              keepalive: {idle: 5s, interval: 2s, count: 4}
            streams:
              - path: /a
                watch: a.json
                max_clients: 50
            """
        )
        #expect(config.limits == ClientLimits(clientBuffer: 256 << 10, writeTimeout: .seconds(5), maxClients: 10000,
                                              keepalive: TCPKeepalive(idle: .seconds(5), interval: .seconds(2), count: 4)))
        #expect(config.streams[0].maxClients == 50)
    }

    @Test func writeTimeoutZeroIsOff() throws {
        let config = try load("limits: {write_timeout: 0}\nstreams: []\n")
        #expect(config.limits.writeTimeout == nil)
    }
}

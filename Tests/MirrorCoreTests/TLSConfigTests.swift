import Foundation
import MirrorCore
import MirrorTestSupport
import Testing
import MirrorDocument

/// `tls:` in mirror.yaml: both files named, read against the config's folder, readable.
@Suite("tls config")
struct TLSConfigTests {
    @Test func filesAreReadAgainstTheConfigFolderAndCheckedAtLoad() throws {
        let temporary = try TemporaryDirectory(prefix: "sse-mirror-tls")
        defer { temporary.remove() }
        let directory = temporary.path
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        try "-----BEGIN PRIVATE KEY-----\n".write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        let config = try load("tls: {cert: cert.pem, key: key.pem}\nstreams: []\n", base: directory)
        #expect(config.tls == TLSFiles(certificate: directory + "/cert.pem", key: directory + "/key.pem"))
        #expect(try load("streams: []\n", base: directory).tls == nil)

        func error(_ text: String) -> ConfigError? {
            do {
                _ = try load(text, base: directory)
                return nil
            } catch {
                return error
            }
        }
        let missing = error("tls:\n  cert: cert.pem\n  key: nope.pem\nstreams: []\n")
        #expect(missing?.mark == SourceMark(line: 3, column: 8))
        #expect(missing?.message.contains("key: cannot read 'nope.pem'") == true, "\(String(describing: missing))")
        #expect(error("tls: {cert: cert.pem}\nstreams: []\n")?.message.contains("tls: needs 'key'") == true)
        #expect(error("tls: {cert: cert.pem, key: key.pem, ca: x}\nstreams: []\n")?.message.contains("unknown key 'ca' in tls") == true)
    }
}

import Foundation
import MirrorServer

extension MirrorFixture {
    /// How many clients `/healthz` says the stream at `path` has now (the hub's exact count, as an
    /// operator reads it); nil when the answer could not be had or read.
    func servedClients(_ path: String = "/config") async -> Int? {
        guard let client = try? await request("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            (try? await client.waitUntilClosed(timeout: .seconds(20))) != nil,
            let report = try? JSONSerialization.jsonObject(with: Data(client.body.utf8)) as? [String: Any],
            let streams = report["streams"] as? [[String: Any]]
        else { return nil }
        return streams.first { $0["path"] as? String == path }?["clients"] as? Int
    }
}

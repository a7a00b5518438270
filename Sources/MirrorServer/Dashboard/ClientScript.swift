/// `GET /client.js`: the ES module behind the dashboard, for any page (`import { mirror } from
/// "/client.js"`): an RFC 6902 and RFC 7396 applier, and `mirror(path, onDocument)`, which keeps a
/// stream's document current through patches, line appends, reconnects and server restarts.
///
/// The module is `Assets/client.js`, served byte for byte as the file holds it.
enum ClientScript {
    static let path = "/client.js"

    static let asset = StaticAsset(PackageResources.client_js, contentType: "text/javascript; charset=utf-8")
}

import MirrorCore
import NIOCore
import MirrorDocument

/// A file the server answers from memory: the dashboard page and `/client.js`.
///
/// They are string literals compiled into the binary, not SwiftPM resources, so a release binary
/// copied anywhere still has them (a resource bundle stays behind on Linux), and there is no build
/// step: the JavaScript in the Swift file is the JavaScript the browser runs.
struct StaticAsset: Sendable {
    let body: ByteBuffer
    /// Header fields of every answer: the media type, the validator and the caching and security fields.
    let fields: [(String, String)]
    /// A strong validator (RFC 9110 §8.8.3) from the content, so it changes exactly when the binary's copy does.
    let etag: String

    init(_ text: String, contentType: String, extra: [(String, String)] = []) {
        body = ByteBuffer(string: text)
        etag = "\"" + ContentDigest.hex(of: Array(text.utf8)).prefix(20) + "\""
        // no-cache: a browser asks again each time (and gets a 304), so a new binary's page is seen at once.
        fields = [
            ("Content-Type", contentType),
            ("ETag", etag),
            ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
        ] + extra
    }

    /// The `'sha256-…'` source of a Content Security Policy (CSP Level 3 §8.4) that allows exactly
    /// this inline script or style.
    static func cspHash(of text: String) -> String {
        "'sha256-" + ContentDigest.base64(of: Array(text.utf8)) + "'"
    }
}

import MirrorDocument
import NIOCore

/// A file the server answers from memory: the dashboard page and `/client.js`.
///
/// Their bytes are the files in `Dashboard/Assets/`, which SwiftPM's `.embedInCode` compiles into the
/// binary as `PackageResources` arrays: a release binary copied anywhere still has them, and no
/// Foundation `Bundle` is needed (`.process` and `.copy` resources make one, and the bundle stays
/// behind on Linux when the binary is copied).
struct StaticAsset: Sendable {
    let body: ByteBuffer
    /// Header fields of every answer: the media type, the validator and the caching and security fields.
    let fields: [(String, String)]
    /// A strong validator (RFC 9110 §8.8.3) from the content, so it changes exactly when the binary's copy does.
    let etag: String

    init(_ bytes: [UInt8], contentType: String, extra: [(String, String)] = []) {
        body = ByteBuffer(bytes: bytes)
        etag = "\"" + ContentDigest.hex(of: bytes).prefix(20) + "\""
        // no-cache: a browser asks again each time (and gets a 304), so a new binary's page is seen at once.
        fields = [
            ("Content-Type", contentType),
            ("ETag", etag),
            ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
        ] + extra
    }

    /// The `'sha256-…'` source of a Content Security Policy (CSP Level 3 §8.4) that allows exactly
    /// the inline script or style whose text is these bytes.
    static func cspHash(of bytes: [UInt8]) -> String {
        "'sha256-" + ContentDigest.base64(of: bytes) + "'"
    }
}

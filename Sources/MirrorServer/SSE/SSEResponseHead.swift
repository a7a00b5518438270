import NIOCore

/// The response head of an event stream, encoded once per server and shared by every connection.
///
/// Written as raw bytes, below the HTTP encoder, which is taken out of the pipeline when a
/// connection becomes an event stream (see ``SSEConnectionHandler``). HTTP/1.1 gets a chunked body
/// (RFC 9112 §7.1); HTTP/1.0 has no chunked coding, so its body simply ends when the connection does.
/// `X-Accel-Buffering: no` tells nginx not to buffer the stream; `no-cache` keeps caches from
/// replaying an old document.
struct SSEResponseHead: Sendable {
    let http11: ByteBuffer
    let http10: ByteBuffer
    /// HEAD gets the same fields (RFC 9110 §9.3.2) and the connection closes after it.
    let http11Head: ByteBuffer

    /// - Parameter extra: fields for this answer only (CORS), so built per request; the shared
    ///   head has none.
    init(extra: [(String, String)] = []) {
        let fields =
            "Content-Type: text/event-stream; charset=utf-8\r\n"
            + "Cache-Control: no-cache\r\n"
            + "X-Accel-Buffering: no\r\n"
            + extra.map { "\($0.0): \($0.1)\r\n" }.joined()
        http11 = ByteBuffer(string: "HTTP/1.1 200 OK\r\n" + fields + "Transfer-Encoding: chunked\r\n\r\n")
        http10 = ByteBuffer(string: "HTTP/1.0 200 OK\r\n" + fields + "Connection: close\r\n\r\n")
        http11Head = ByteBuffer(string: "HTTP/1.1 200 OK\r\n" + fields + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    }
}

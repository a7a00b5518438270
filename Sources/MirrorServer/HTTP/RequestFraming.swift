import NIOHTTP1

/// Whether a request's body framing is one this server can read (RFC 9112 §6), decided on its
/// head before anything else: none of our routes takes a body, but a body we cannot delimit
/// would be read as the next request by anything in front of us that frames it otherwise
/// (request smuggling, RFC 9112 §11.2), so such a request is refused and its connection closed.
///
/// - `Transfer-Encoding` in an HTTP/1.0 request: RFC 9112 §6.1 says the framing is then faulty
///   ("MUST treat the message as if the framing is faulty"), so `400` (as nginx answers);
/// - `Transfer-Encoding` with `Content-Length`: RFC 9112 §6.3 ("MAY reject"; a classic smuggling
///   vector), `400`;
/// - a transfer coding other than `chunked` (`gzip`, `xchunked`, `identity`, which RFC 9112 no
///   longer has): RFC 9112 §6.1 ("SHOULD respond with 501 (Not Implemented)"), `501`;
/// - `chunked` more than once, or not last (RFC 9112 §6.3: the length "cannot be determined
///   reliably; the server MUST respond with the 400"), or an empty field: `400`.
///
/// NIO's parser refuses some of these itself (two `chunked`, `chunked` before another coding,
/// both fields), but others only after the head, once we have answered it.
enum RequestFraming: Equatable {
    case acceptable
    case badRequest(String)
    case notImplemented(String)

    init(headers: HTTPHeaders, version: HTTPVersion) {
        let fields = headers["Transfer-Encoding"]
        guard !fields.isEmpty else {
            self = .acceptable
            return
        }
        if version.major == 1 && version.minor == 0 {
            self = .badRequest("Transfer-Encoding in an HTTP/1.0 request")
            return
        }
        if headers.contains(name: "Content-Length") {
            self = .badRequest("both Transfer-Encoding and Content-Length")
            return
        }
        // A list (RFC 9110 §5.6.1): empty elements are allowed and ignored; a coding's
        // parameters follow a `;` (RFC 9112 §7), and `chunked` has none.
        let codings = fields.flatMap { $0.split(separator: ",") }.map(Self.trimmed).filter { !$0.isEmpty }
        if let unknown = codings.first(where: { $0.lowercased() != "chunked" }) {
            self = .notImplemented("the transfer coding '\(Self.printable(unknown))' is not implemented; only chunked is")
        } else if codings.count != 1 {
            self = .badRequest(codings.isEmpty ? "an empty Transfer-Encoding" : "chunked more than once in Transfer-Encoding")
        } else {
            self = .acceptable
        }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text.drop { $0 == " " || $0 == "\t" }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }

    /// A client's coding as it may appear in our answer: bounded, visible ASCII only.
    private static func printable(_ text: Substring) -> String {
        String(text.prefix(64).map { (0x21..<0x7F).contains($0.asciiValue ?? 0) ? $0 : "?" })
    }
}

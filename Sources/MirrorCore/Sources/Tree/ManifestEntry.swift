import Glibc
public import MirrorDocument

/// One regular file of a `format: manifest` tree, as its document entry:
/// `{"size": 1234, "mtime": "2026-11-26T13:41:41.123456789Z", "sha256": "…"}`.
///
/// `size` is the byte count as a JSON number; `mtime` the modification time in RFC 3339 (§5.6) UTC,
/// its fraction of a second trimmed of trailing zeros (none when whole); `sha256` the content's
/// SHA-256 in lowercase hex as `sha256sum` prints it, left out with `hash: false`. A file that
/// cannot be read carries `error` (the system's message) instead of `sha256`. A file that a writer
/// still holds open carries `"writing": true` instead: its bytes so far are no version of it, so
/// they are never hashed (a CI job must not ship half an artifact under a hash).
public struct ManifestEntry: Sendable, Equatable {
    public var size: Int64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64
    public var sha256: String?
    public var error: String?
    /// A writer holds the file open (an IN_CREATE or IN_MODIFY since its last IN_CLOSE_WRITE).
    public var writing: Bool

    public init(size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64, sha256: String? = nil, error: String? = nil, writing: Bool = false) {
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.sha256 = sha256
        self.error = error
        self.writing = writing
    }

    init(_ identity: FileIdentity, sha256: String? = nil, error: String? = nil, writing: Bool = false) {
        self.init(
            size: identity.size, modifiedSeconds: identity.modifiedSeconds,
            modifiedNanoseconds: identity.modifiedNanoseconds, sha256: sha256, error: error, writing: writing)
    }

    public var value: JSONValue {
        var object = JSONObject()
        object["size"] = .number(JSONNumber(Int(size)))
        object["mtime"] = .string(Self.rfc3339(seconds: modifiedSeconds, nanoseconds: modifiedNanoseconds))
        if let sha256 { object["sha256"] = .string(sha256) }
        if let error { object["error"] = .string(error) }
        if writing { object["writing"] = .bool(true) }
        return .object(object)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (RFC 3339 §5.6), the fraction as many digits as it needs.
    public static func rfc3339(seconds: Int64, nanoseconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
        text += "T" + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
        if nanoseconds > 0 {
            var fraction = Array(pad(Int32(nanoseconds), 9))
            while fraction.last == "0" { fraction.removeLast() }
            text += "." + String(fraction)
        }
        return text + "Z"
    }
}

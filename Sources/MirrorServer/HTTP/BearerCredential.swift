import MirrorCore
import NIOHTTP1

/// The token a request presents, and what the tokens in force make of it.
///
/// A token comes as `Authorization: Bearer …` (RFC 6750 §2.1) or, for clients that cannot set a
/// header (a browser's EventSource), as `?access_token=…` (RFC 6750 §2.3). The query form ends up
/// in proxies' access logs, which the README says; this server never logs a request target.
enum BearerCredential {
    enum Decision: Equatable {
        /// No token needed here.
        case open
        /// The token is one of those in force; its digest identifies it to a later reload.
        case allowed(digest: [UInt8])
        /// No token was presented (RFC 6750 §3: the challenge carries no error code).
        case missing
        /// A token was presented and is not one of them (RFC 6750 §3.1 `invalid_token`).
        case invalid
    }

    static func decide(tokens: AccessTokens?, headers: HTTPHeaders, target: RequestTarget) -> Decision {
        guard let tokens else { return .open }
        guard let presented = presented(headers: headers, target: target) else { return .missing }
        return tokens.match(presented).map { .allowed(digest: $0) } ?? .invalid
    }

    /// The header's token, else the query's. The auth scheme compares without case (RFC 9110 §11.1).
    static func presented(headers: HTTPHeaders, target: RequestTarget) -> String? {
        for field in headers["Authorization"] {
            let parts = field.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return String(parts[1].drop { $0 == " " })
            }
        }
        return target.queryValue("access_token")
    }

    /// The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3).
    static func challenge(for decision: Decision) -> String {
        decision == .invalid ? #"Bearer realm="sse-mirror", error="invalid_token""# : #"Bearer realm="sse-mirror""#
    }
}

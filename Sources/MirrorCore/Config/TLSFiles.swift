/// `tls: {cert: …, key: …}`: the PEM files the server answers HTTPS with, for deployments with no
/// proxy in front. The paths are checked when the config loads (readable, not empty); the
/// certificate chain and key are parsed when the server starts, which names them on failure.
public struct TLSFiles: Sendable, Equatable {
    /// The certificate chain, leaf first (PEM), absolute.
    public var certificate: String
    /// The private key (PEM, unencrypted), absolute.
    public var key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}

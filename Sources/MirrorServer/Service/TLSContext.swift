import MirrorCore
import NIOSSL

/// The server side of TLS (swift-nio-ssl), built once at start from `tls:` in mirror.yaml.
///
/// TLS 1.2 is the oldest version offered (RFC 8996 deprecates 1.0 and 1.1, RFC 9325 §3.1.1);
/// the cipher suites are swift-nio-ssl's defaults.
enum TLSContext {
    static func make(_ files: TLSFiles) throws(TLSSetupError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw TLSSetupError(file: files.certificate, problem: "not a PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else {
            throw TLSSetupError(file: files.certificate, problem: "holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw TLSSetupError(file: files.key, problem: "not an unencrypted PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(file: files.key, problem: "does not go with the certificate (\(error))")
        }
    }
}

/// A `tls:` file that cannot serve, named.
struct TLSSetupError: Error, CustomStringConvertible {
    let file: String
    let problem: String

    var description: String { "tls: '\(file)' \(problem)" }
}

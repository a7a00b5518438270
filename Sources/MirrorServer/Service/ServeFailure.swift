import Glibc
import NIOCore

/// How a failure to serve is told to a person.
public enum ServeFailure {
    /// A system error as `strerror` words it (NIO's own description of a failed `bind` names its
    /// internal call and carries a stray parenthesis); anything else as it describes itself.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            return "\(String(cString: strerror(error.errnoCode))) (errno \(error.errnoCode))"
        }
        return "\(error)"
    }
}

import Glibc
public import Logging

/// Process limits a server with thousands of connections needs.
public enum ResourceLimits {
    /// Raises the soft open-file limit to the hard limit: each client is a descriptor, and the
    /// common soft default of 1024 would refuse connections long before memory runs short.
    @discardableResult
    public static func raiseOpenFileLimit(logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(RLIMIT_NOFILE_VALUE, &raised) == 0 {
                limit = raised
            } else {
                logger.warning("cannot raise the open-file limit", metadata: ["limit": "\(limit.rlim_cur)"])
            }
        }
        return Int(clamping: limit.rlim_cur)
    }

    #if os(Linux)
    private static let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
    #endif
}

import Foundation
import Glibc
import Synchronization

extension ServerProcess {
    /// The test run's own copy of the executable, in a folder of its own under /tmp (made on first
    /// use, removed at exit): a copy, not the build's file, so no link ever pins the build
    /// folder's binary while the linker replaces it.
    private static let master = Mutex<String?>(nil)

    /// Puts the executable at `destination`: a hard link to the run's copy, or where that cannot
    /// be (another file system), a copy. Copying tens of megabytes of a debug build for every
    /// server, a dozen at once, loaded the machine for every other test. It blocks: call it
    /// through `offPool`.
    static func placeExecutable(at destination: String) throws {
        let source = try master.withLock { master in
            if let master { return master }
            let folder = try TemporaryDirectory(prefix: "sse-mirror-test-binary").path
            chmod(folder, 0o755)
            let copy = folder + "/sse-mirror"
            try copyExecutable(CommandLineTests.executable.path, to: copy)
            master = copy
            atexit {
                guard let copy = ServerProcess.master.withLock({ $0 }) else { return }
                unlink(copy)
                rmdir(String(copy.dropLast("/sse-mirror".count)))
            }
            return copy
        }
        if link(source, destination) != 0 { try copyExecutable(source, to: destination) }
    }

    /// Copies the executable. While its write descriptor is open, a child that another test forks
    /// holds it too until the spawn closes it before exec, and an exec of the copy at that moment
    /// fails "Text file busy" (seen once under load when every server made its own copy): with one
    /// copy per run, that moment comes once per run, not once per server.
    private static func copyExecutable(_ source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard output >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(output) }
        while true {
            let copied = sendfile(output, input, nil, 1 << 30)
            if copied == 0 { break }
            guard copied > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        fchmod(output, 0o755)
    }
}

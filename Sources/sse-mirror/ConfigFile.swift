import ArgumentParser
import Glibc
import MirrorCore

enum ConfigFile {
    /// Loads the config, or prints its error to standard error and exits 2 before any socket is bound.
    static func load(_ path: String) throws -> MirrorConfig {
        do {
            return try ConfigLoader.load(file: path)
        } catch {
            var stderr = StandardError()
            print(error.description, to: &stderr)
            throw ExitCodes.badConfig
        }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        // write(2) on fd 2: the C `stderr` global is shared mutable state to strict concurrency.
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

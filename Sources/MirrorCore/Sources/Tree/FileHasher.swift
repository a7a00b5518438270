import Glibc
import MirrorDocument

/// SHA-256 of an open regular file through a bounded buffer (``ContentDigest``, swift-crypto),
/// checked against the file's identity before and after.
///
/// A writer at work during the hash would make it a hash of no version of the file: if size, mtime
/// or inode differ between the fstat before and the one after (or fewer or more bytes were read
/// than the size said), the file is hashed again, a few times at most. A hash that never held
/// still is returned as not settled, and the tree looks at the file again once writes settle.
public enum FileHasher {
    /// How many times one look hashes a file that keeps changing.
    static let attempts = 3
    /// The buffer each hashing thread reads through; large enough that a read costs less than the
    /// hashing of what it read, small enough to stay in cache.
    public static let bufferSize = 256 << 10

    public struct Hash: Sendable {
        public var hex: String
        /// The identity after hashing.
        public var identity: FileIdentity
        /// The file held still while it was hashed.
        public var settled: Bool
        /// Bytes read, over every attempt (for progress logs).
        public var bytesRead: Int
    }

    public static func hash(_ fd: Int32, buffer: UnsafeMutableRawBufferPointer) throws(FileReadError) -> Hash {
        var bytesRead = 0
        var last: Hash?
        for _ in 0..<attempts {
            let before = try identity(fd)
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw FileReadError.from(errno: errno) }
            var digest = ContentDigest()
            var count = 0
            while true {
                let got = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if got < 0 {
                    if errno == EINTR { continue }
                    throw FileReadError.from(errno: errno)
                }
                if got == 0 { break }
                digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<got]))
                count += got
            }
            bytesRead += count
            let after = try identity(fd)
            let settled = before == after && Int64(count) == after.size
            last = Hash(hex: digest.hex(), identity: after, settled: settled, bytesRead: bytesRead)
            if settled { break }
        }
        return last!
    }

    static func identity(_ fd: Int32) throws(FileReadError) -> FileIdentity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileReadError.from(errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileReadError.notRegular }
        return FileIdentity(info)
    }
}

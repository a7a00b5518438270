import Glibc

/// One file of a followed log, open: the descriptor it is read from at its offset (never opened
/// again by name), the splitter holding its last fragment, and while an older file of the same
/// log is still drained, what was read of it and is held back.
final class OpenLog {
    /// What a held-back file brought, in order, to replay once it is the oldest file.
    enum Held {
        /// Bytes read; `atStart`: read from offset 0 (where binary content is told from text).
        case bytes([UInt8], atStart: Bool)
        case truncated(size: Int64, lost: Int64)
    }

    let key: LogFileKey
    let descriptor: Int32
    var splitter: LineSplitter
    /// The inotify watch on the inode (nil: none could be added; the poll reads it).
    var watch: Int32?
    var held: [Held] = []
    var heldBytes = 0
    /// Whether the content is binary; nil until bytes have been read from offset 0.
    var binary: Bool?

    init(key: LogFileKey, descriptor: Int32, maxLine: Int) {
        self.key = key
        self.descriptor = descriptor
        self.splitter = LineSplitter(maxLine: maxLine)
    }

    deinit {
        close(descriptor)
    }

    /// The size now, by fstat on the descriptor (nil if that fails).
    func size() -> Int64? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }
}

import Foundation
import Glibc

/// A pipe for a child's output whose ends are close-on-exec from the moment they exist
/// (pipe2(2) with O_CLOEXEC); the child still gets its end, which the spawn dup2(2)s onto its
/// standard output or error.
///
/// Foundation's `Pipe` is not: the suite starts children from many threads at once (servers,
/// `check`, curl, find), and a child started while another test's pipe was open inherited its
/// write end. The reader then saw no end of file until that child exited, which for a server is
/// the end of its test: `readDataToEndOfFile()` hung past the time limit. Every descriptor the
/// tests open is close-on-exec for the same reason (a file's inherited write end also holds back
/// its IN_CLOSE_WRITE, and makes an executable "Text file busy").
struct ChildPipe {
    let reading: FileHandle
    let writing: FileHandle

    /// glibc's pipe2(2), which the Glibc module leaves out (it is a GNU extension); a pipe(2)
    /// followed by fcntl(2) would leave a moment for a spawn on another thread to inherit it.
    private static let pipe2: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "pipe2") else { fatalError("glibc has no pipe2") }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    }()

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard Self.pipe2(&ends, O_CLOEXEC) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        reading = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        writing = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
    }

    /// Gives up the parent's write end once the child runs, so the child's exit is the end of file.
    func childStarted() {
        try? writing.close()
    }
}

import Glibc

/// Cuts a log's bytes into complete lines, read after read, holding the trailing fragment until
/// its line end arrives.
///
/// A line ends at LF, CRLF or a lone CR, as WHATWG HTML §9.2.5 reads an event stream and as old
/// Mac files end lines. A CR at the very end of a read is a line end at once, and the splitter
/// remembers it, so an LF at the start of the next read completes the CRLF instead of ending an
/// empty line. A line longer than `maxLine` bytes is cut into pieces of at most `maxLine` bytes
/// (at a character boundary when one is near), each handed on as a line: the held fragment never
/// grows past `maxLine`, so a file without line ends cannot fill the memory. The bytes are handed
/// on as they are; turning invalid UTF-8 into U+FFFD is the encoder's work (``LineJSON``).
struct LineSplitter {
    let maxLine: Int
    private var fragment: [UInt8] = []
    /// The last byte taken was a CR that ended a line.
    private var afterCR = false
    /// How many times an over-long line was cut.
    private(set) var cutLines = 0

    init(maxLine: Int) {
        self.maxLine = max(4, maxLine)
    }

    /// Nothing held and no CR pending: the next read's lines start at its first byte.
    var isClean: Bool { fragment.isEmpty && !afterCR }

    /// The bytes held back: the start of a line whose end has not arrived.
    var heldBytes: Int { fragment.count }

    /// Calls `line` for every line that `bytes` completes, in order.
    mutating func split(_ bytes: UnsafeRawBufferPointer, _ line: (UnsafeRawBufferPointer) -> Void) {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let count = bytes.count
        var position = 0
        if afterCR {
            afterCR = false
            if base[0] == 0x0A { position = 1 }
        }
        // Most logs hold no CR: then memchr finds each LF at memory speed.
        let hasCR = position < count && memchr(base + position, 0x0D, count - position) != nil
        while position < count {
            let end: Int
            if hasCR {
                var index = position
                while index < count && base[index] != 0x0A && base[index] != 0x0D { index += 1 }
                end = index
            } else if let found = memchr(base + position, 0x0A, count - position) {
                end = UnsafeRawPointer(found) - raw
            } else {
                end = count
            }
            guard end < count else {
                hold(UnsafeBufferPointer(start: base + position, count: count - position), line)
                return
            }
            complete(UnsafeBufferPointer(start: base + position, count: end - position), line)
            position = end + 1
            if base[end] == 0x0D {
                if position == count {
                    afterCR = true
                } else if base[position] == 0x0A {
                    position += 1
                }
            }
        }
    }

    /// The bytes before the next read ended with a CR that ended a line (where following starts
    /// after the last lines of a log).
    mutating func resumeAfterCR() {
        afterCR = true
    }

    /// Hands on the held fragment as a last line: the file it came from will not grow again.
    mutating func flush(_ line: (UnsafeRawBufferPointer) -> Void) {
        defer { reset() }
        guard !fragment.isEmpty else { return }
        fragment.withUnsafeBytes { line($0) }
    }

    /// Forgets the fragment (the file was truncated under it); returns how many bytes it held.
    @discardableResult
    mutating func reset() -> Int {
        let dropped = fragment.count
        fragment.removeAll(keepingCapacity: fragment.capacity <= 64 << 10)
        afterCR = false
        return dropped
    }

    private mutating func complete(_ bytes: UnsafeBufferPointer<UInt8>, _ line: (UnsafeRawBufferPointer) -> Void) {
        if fragment.isEmpty {
            pieces(bytes, final: true, line)
            return
        }
        fragment.append(contentsOf: bytes)
        let whole = fragment
        fragment.removeAll(keepingCapacity: true)
        whole.withUnsafeBufferPointer { _ = pieces($0, final: true, line) }
    }

    private mutating func hold(_ bytes: UnsafeBufferPointer<UInt8>, _ line: (UnsafeRawBufferPointer) -> Void) {
        if fragment.count + bytes.count <= maxLine {
            fragment.append(contentsOf: bytes)
            return
        }
        fragment.append(contentsOf: bytes)
        let whole = fragment
        fragment.removeAll(keepingCapacity: true)
        let kept = whole.withUnsafeBufferPointer { pieces($0, final: false, line) }
        fragment.append(contentsOf: whole[(whole.count - kept)...])
    }

    /// Hands on `bytes` in pieces of at most `maxLine`; unless `final`, keeps the last piece that
    /// fits and returns its length.
    @discardableResult
    private mutating func pieces(_ bytes: UnsafeBufferPointer<UInt8>, final: Bool, _ line: (UnsafeRawBufferPointer) -> Void) -> Int {
        var start = 0
        while bytes.count - start > maxLine {
            var cut = start + maxLine
            // Back off to the start of a UTF-8 sequence, so a character is not split in two.
            while cut > start + maxLine - 3 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
            line(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<cut])))
            cutLines += 1
            start = cut
        }
        guard final else { return bytes.count - start }
        line(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...])))
        return 0
    }
}

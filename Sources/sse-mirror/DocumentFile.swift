import Glibc
import MirrorDocument

/// A JSON (or YAML, by extension) document named on the command line: `-` is standard input.
enum DocumentFile {
    /// Larger inputs are refused rather than read without bound.
    static let limit = 1 << 30

    /// Reads and parses the document, or prints `FILE:LINE:COLUMN: message` to standard error
    /// and exits 1.
    static func load(_ path: String) throws -> JSONValue {
        var stderr = StandardError()
        let bytes: [UInt8]
        switch path == "-" ? readAll(0) : readFile(path) {
        case .success(let read):
            bytes = read
        case .failure(let failure):
            print(path == "-" ? "-: cannot read standard input: \(failure.reason)" : "\(path): \(failure.reason)", to: &stderr)
            throw ExitCodes.badInput
        }
        do {
            return try DocumentReader.read(bytes, format: path == "-" ? .json : DocumentFormat.implied(byPath: path))
        } catch {
            let place = error.line.map { line in "\(line):\(error.column ?? 1):" } ?? ""
            print("\(path):\(place) \(error.message)", to: &stderr)
            throw ExitCodes.badInput
        }
    }

    /// Why an input could not be read, as the message says it.
    struct ReadFailure: Error {
        var reason: String

        init(_ reason: String) { self.reason = reason }

        init(errno code: Int32) {
            reason = switch code {
            case ENOENT, ENOTDIR: "no such file"
            case EFBIG: "larger than \(DocumentFile.limit >> 30) GiB"
            default: String(cString: strerror(code))
            }
        }
    }

    /// A regular file only: a FIFO, a device or a folder is refused before anything is read (the
    /// open does not block on a FIFO with no writer, and /dev/zero is not read to the limit).
    private static func readFile(_ path: String) -> Result<[UInt8], ReadFailure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { return .failure(ReadFailure(errno: errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(ReadFailure(errno: errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else { return .failure(ReadFailure("not a regular file")) }
        guard status.st_size <= limit else { return .failure(ReadFailure(errno: EFBIG)) }
        return readAll(descriptor)
    }

    /// The whole of a file or pipe, bounded by ``limit``.
    private static func readAll(_ descriptor: Int32) -> Result<[UInt8], ReadFailure> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ReadFailure(errno: errno))
            }
            if count == 0 { return .success(bytes) }
            guard bytes.count + count <= limit else { return .failure(ReadFailure(errno: EFBIG)) }
            bytes += chunk[..<count]
        }
    }

    /// Writes a document as compact JSON and a newline to standard output.
    static func write(_ value: JSONValue) {
        var bytes = JSONSerializer.serialize(value)
        bytes.append(0x0A)
        FileOutput.writeAll(bytes, to: 1)
    }
}

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
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        let bytes = descriptor < 0 ? nil : readAll(descriptor)
        let failure = errno
        if descriptor > 0 { close(descriptor) }
        guard let bytes else {
            let reason = switch failure {
            case ENOENT, ENOTDIR: "no such file"
            case EFBIG: "larger than \(limit >> 30) GiB"
            default: String(cString: strerror(failure))
            }
            print(path == "-" ? "-: cannot read standard input: \(reason)" : "\(path): \(reason)", to: &stderr)
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

    /// The whole of a file or pipe, or nil when the read fails or the input exceeds the limit
    /// (errno says which: EFBIG for the limit, EISDIR for a folder).
    private static func readAll(_ descriptor: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else {
                errno = EFBIG
                return nil
            }
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

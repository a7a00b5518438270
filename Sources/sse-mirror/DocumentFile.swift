import Glibc
import MirrorCore
import MirrorDocument

/// A JSON (or YAML, by extension) document named on the command line: `-` is standard input.
enum DocumentFile {
    /// Larger inputs are refused rather than read without bound.
    static let limit = 1 << 30

    /// Reads and parses the document, or prints `FILE:LINE:COLUMN: message` to standard error
    /// and exits 1. Files are read by ``FileReader/readAll(path:limit:)``, the server's bounded,
    /// regular-files-only read (a FIFO, a device or a folder is refused before anything is read).
    static func load(_ path: String) throws -> JSONValue {
        var stderr = StandardError()
        let bytes: [UInt8]
        do {
            if path == "-" {
                guard let input = readStandardInput() else {
                    print("-: cannot read standard input: \(String(cString: strerror(errno)))", to: &stderr)
                    throw ExitCodes.badInput
                }
                bytes = input
            } else {
                bytes = try FileReader.readAll(path: path, limit: limit)
            }
        } catch let error as FileReadError {
            print("\(path): \(error)", to: &stderr)
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

    /// Nil when the read fails or the input exceeds the limit (errno says which).
    private static func readStandardInput() -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
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

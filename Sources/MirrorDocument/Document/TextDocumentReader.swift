/// Reads a text file as one JSON string (`format: text`).
///
/// The text must be well-formed UTF-8, as a JSON string holds Unicode text (RFC 8259 §8.1); a
/// leading byte order mark is dropped (§8.1 lets a parser ignore it). Anything else is kept exactly,
/// line breaks and trailing newline included; the serializer escapes what JSON requires (§7).
public enum TextDocumentReader {
    public static func read(_ bytes: [UInt8]) throws(DocumentError) -> JSONValue {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        // The standard library's check is the fast path; the position is found only for a bad file.
        if let text = String(validating: bytes[start...], as: UTF8.self) { return .string(text) }
        throw bytes.withUnsafeBufferPointer { buffer in firstError(in: buffer, from: start) }
    }

    /// Where the first ill-formed sequence starts: line by `\n`, column in Unicode scalars.
    private static func firstError(in input: UnsafeBufferPointer<UInt8>, from start: Int) -> DocumentError {
        var position = start
        var line = 1
        var lineStart = start
        while position < input.count {
            let byte = input[position]
            if byte < 0x80 {
                position += 1
                if byte == 0x0A {
                    line += 1
                    lineStart = position
                }
                continue
            }
            do {
                position += try UTF8Sequence.length(in: input, at: position)
            } catch {
                let column = JSONGrammar.column(in: input, lineStart: lineStart, position: position)
                return DocumentError(line: line, column: column, message: error.message)
            }
        }
        // Unreachable when the standard library and table 3-7 agree; still an error, never a crash.
        return DocumentError(line: nil, column: nil, message: "the file is not valid UTF-8")
    }
}

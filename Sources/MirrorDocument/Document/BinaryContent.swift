/// Tells text from binary content, so a text, line or directory stream publishes a binary file as
/// metadata (`size`, `sha256`) and never as broken text.
///
/// The rule is git's and grep's: a NUL byte in the first ``sampleSize`` bytes means binary. Invalid
/// UTF-8 in the sample counts too, except a sequence cut off by the end of the sample.
public enum BinaryContent {
    /// How much of the start of a file is looked at (git's `FIRST_FEW_BYTES`).
    public static let sampleSize = 8000

    public static func isBinary(_ bytes: some Collection<UInt8>) -> Bool {
        let sample = Array(bytes.prefix(sampleSize))
        if sample.contains(0) { return true }
        return !isUTF8(sample, cutOff: sample.count == sampleSize)
    }

    /// Whether `sample` is well-formed UTF-8; with `cutOff`, a sequence that the end of the sample
    /// interrupts counts as well-formed (the rest of it is in the bytes not looked at).
    private static func isUTF8(_ sample: [UInt8], cutOff: Bool) -> Bool {
        sample.withUnsafeBufferPointer { input in
            var position = 0
            while position < input.count {
                if input[position] < 0x80 {
                    position += 1
                    continue
                }
                do {
                    position += try UTF8Sequence.length(in: input, at: position)
                } catch UTF8Sequence.Problem.broken {
                    // A cut-off sequence is at most 3 bytes from the end.
                    return cutOff && input.count - position < 4
                } catch {
                    return false
                }
            }
            return true
        }
    }
}

import Glibc

/// A POSIX extended regular expression (`regcomp(3)` with `REG_EXTENDED | REG_NOSUB`, the flavour
/// of `grep -E`) that `grep:` and `exclude:` match lines against.
///
/// The compiled `regex_t` lives as long as this object and is freed in `deinit` (the C boundary
/// stays at the edge). glibc's `regexec` takes the pattern's own lock, so one compiled pattern is
/// safe to share between threads. Lines are matched with `REG_STARTEND`, so a line is not copied to
/// be NUL-terminated and a NUL inside it is matched as a byte. The process runs in the C locale,
/// so the pattern works on bytes: `.` matches one byte of a multi-byte character.
public final class LinePattern: @unchecked Sendable, Equatable, CustomStringConvertible {
    public let source: String
    private let regex: UnsafeMutablePointer<regex_t>

    /// `REG_STARTEND` (glibc, 4): match `[rm_so, rm_eo)` of the string, NULs included.
    private static let startEnd: Int32 = 4

    /// Why a pattern does not compile: `regerror(3)`'s text.
    public struct CompileError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(_ source: String) throws(CompileError) {
        let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        let code = regcomp(compiled, source, REG_EXTENDED | REG_NOSUB)
        guard code == 0 else {
            var text = [UInt8](repeating: 0, count: 256)
            text.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { _ = regerror(code, compiled, $0.baseAddress, $0.count) }
            }
            compiled.deallocate()
            throw CompileError(message: String(decoding: text.prefix { $0 != 0 }, as: UTF8.self))
        }
        self.source = source
        self.regex = compiled
    }

    deinit {
        regfree(regex)
        regex.deallocate()
    }

    /// Whether the pattern matches anywhere in `line`.
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        var range = regmatch_t(rm_so: 0, rm_eo: regoff_t(line.count))
        // An empty line may have no base address: match the empty C string instead.
        guard let base = line.baseAddress, line.count > 0 else {
            return regexec(regex, "", 1, &range, Self.startEnd) == 0
        }
        return regexec(regex, base.assumingMemoryBound(to: CChar.self), 1, &range, Self.startEnd) == 0
    }

    public static func == (lhs: LinePattern, rhs: LinePattern) -> Bool { lhs.source == rhs.source }

    public var description: String { source }
}

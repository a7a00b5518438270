import MirrorDocument

/// The advice for `listen: [::1]:8080` written without quotes.
///
/// An unquoted `[` starts a YAML flow sequence (YAML 1.2.2 §7.4.1), so libyaml reads `[::1]` as a
/// list and then stumbles on `:8080` ("did not find expected node content"), or, for `[127.0.0.1]`
/// with no port, returns a list. Neither says what went wrong; this names the fix instead.
struct ListenHint {
    let mark: SourceMark
    let message: String

    /// The hint, if the line at `mark` is a top-level `listen:` whose value starts with `[`.
    init?(lines: SourceLines, near mark: SourceMark) {
        guard let line = lines.text(ofLine: mark.line), line.hasPrefix("listen:") else { return nil }
        let afterKey = line.unicodeScalars.dropFirst("listen:".count)
        let value = afterKey.drop(while: { $0 == " " || $0 == "\t" })
        guard value.first == "[" else { return nil }
        // A comment starts at " #" (YAML 1.2.2 §6.6); the address itself holds no spaces.
        let address = value.prefix(while: { $0 != " " && $0 != "\t" })
        guard address.contains("]") else { return nil }
        let column = line.unicodeScalars.count - value.count + 1
        self.mark = SourceMark(line: mark.line, column: column)
        self.message = "listen: an address in brackets must be quoted, or YAML reads a list: did you mean \"\(String(address))\"?"
    }
}

public import MirrorDocument

/// `follow --until POINTER[=JSON]`: the state of the document a follower waits for.
///
/// The pointer is RFC 6901. Without a value the condition holds once the pointer names a value
/// (any, `null` included); with one, once that value equals it as RFC 6902 §4.6 `test` compares
/// (numbers by value: `5`, `5.0` and `50e-1` are equal; objects without regard to member order).
/// The text splits at its first `=`: a pointer whose keys hold `=` cannot take a value here.
///
/// A file still being written is not there yet: a directory stream shows one its writer holds open
/// as an entry with `"writing": true` (PROTOCOL.md "Directory streams"), so when the value at the
/// pointer, or any object on the way to it from the root, has a member `writing` equal to `true`,
/// the condition does not hold. `--until /app.tar.gz` waits for the whole file.
public struct FollowCondition: Sendable, Equatable {
    public let pointer: JSONPointer
    public let expected: JSONValue?

    public init(pointer: JSONPointer, expected: JSONValue?) {
        self.pointer = pointer
        self.expected = expected
    }

    /// Reads `POINTER` or `POINTER=JSON`; the message of the error says what is wrong, for the user.
    public init(parsing text: String) throws(FollowConditionError) {
        let equals = text.firstIndex(of: "=")
        let pointerText = String(text[..<(equals ?? text.endIndex)])
        do {
            pointer = try JSONPointer(pointerText)
        } catch {
            throw FollowConditionError("--until: \(error.message): \"\(pointerText)\" (write keys as /a/b, with ~1 for '/' and ~0 for '~')")
        }
        guard let equals else {
            expected = nil
            return
        }
        let valueText = text[text.index(after: equals)...]
        do {
            expected = try JSONParser.parse(Array(valueText.utf8))
        } catch {
            throw FollowConditionError("--until: the value after '=' is not JSON (\(error.message)); quote a string as JSON: \(pointerText)='\"text\"'")
        }
    }

    public func isSatisfied(by document: JSONValue?) -> Bool {
        guard let document, let found = pointer.resolve(in: document) else { return false }
        guard !isBeingWritten(document) else { return false }
        guard let expected else { return true }
        return found.isEqualByValue(expected)
    }

    /// Whether the root, an object on the pointer's way, or the value it names is an entry of a
    /// file still being written (`"writing": true`). Each prefix resolves as the pointer does, so
    /// keys compare the same way here as there.
    private func isBeingWritten(_ document: JSONValue) -> Bool {
        (0...pointer.tokens.count).contains { length in
            guard case .object(let object)? = JSONPointer(tokens: Array(pointer.tokens.prefix(length))).resolve(in: document) else {
                return false
            }
            return object["writing"] == .bool(true)
        }
    }
}

/// A `--until` text that is not `POINTER[=JSON]`.
public struct FollowConditionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Why a JSON Patch document is malformed or could not be applied (RFC 6902 §5).
///
/// §5 says the whole patch fails when one operation does, so the error names the operation by
/// its index in the document and the pointer it stopped at; callers compare ``code`` to react
/// to a kind of failure, since the message is for people.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A kind of failure. A struct over a private enum so kinds can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case malformedPatch = "malformed patch"
            case pathNotFound = "path not found"
            case invalidIndex = "invalid array index"
            case invalidTarget = "invalid target"
            case testFailed = "test failed"
            case resultTooLarge = "result too large"
            case resultTooDeep = "result too deep"
            case tooMuchWork = "too much work"
        }

        private let base: Base

        /// The patch document is not an array of valid operation objects (§3, §4).
        public static let malformedPatch = Code(base: .malformedPatch)
        /// The target (or `from`, or an `add`'s parent) does not exist (§4.1–§4.5).
        public static let pathNotFound = Code(base: .pathNotFound)
        /// An array index token is not a valid index, or is out of bounds (§4.1, RFC 6901 §4).
        public static let invalidIndex = Code(base: .invalidIndex)
        /// The operation cannot apply at that place: a move into its own child (§4.4), removing
        /// the whole document, a token into a scalar.
        public static let invalidTarget = Code(base: .invalidTarget)
        /// A `test` found a different value (§4.6).
        public static let testFailed = Code(base: .testFailed)
        /// The result would be larger than the bound a patch may build
        /// (``JSONPatch/maximumResultSize``); RFC 6902 sets none, a client must.
        public static let resultTooLarge = Code(base: .resultTooLarge)
        /// The result would nest containers deeper than a JSON document may
        /// (``JSONParser/maximumDepth``), which would exhaust the stack of whatever walks it.
        public static let resultTooDeep = Code(base: .resultTooDeep)
        /// Applying would look at more values than one patch may (``JSONPatch/workFactor``).
        public static let tooMuchWork = Code(base: .tooMuchWork)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The operation's position in the patch document, from 0; nil when the document itself is
    /// not an array.
    public var operationIndex: Int?
    /// The pointer the failure concerns, in its string form; nil when the operation has none.
    public var pointer: String?
    public var message: String

    public init(_ code: Code, operationIndex: Int?, pointer: String?, message: String) {
        self.code = code
        self.operationIndex = operationIndex
        self.pointer = pointer
        self.message = message
    }

    public var description: String {
        var text = operationIndex.map { "operation \($0)" } ?? "patch document"
        if let pointer { text += " at \"\(pointer)\"" }
        return text + ": " + message
    }
}

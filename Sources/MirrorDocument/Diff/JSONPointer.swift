/// A JSON Pointer (RFC 6901): a path of reference tokens from the document root to one value.
///
/// Tokens are kept unescaped, so appending a key that contains `/` or `~` needs no care from the
/// caller; the escapes of §3 (`~0` for `~`, `~1` for `/`) exist only in the text form.
///
/// Tokens compare by Unicode scalars, as §4 matches them against member names (``ScalarString``):
/// `/é` in NFC and in NFD are two pointers, to two members.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The reference tokens, unescaped. Empty for the whole document.
    public private(set) var tokens: [String]

    /// The pointer to the whole document (`""`).
    public static let root = JSONPointer(tokens: [])

    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// Parses the string form (RFC 6901 §3): `""`, or `/`-prefixed tokens in which `~` is only
    /// ever followed by `0` or `1`. `~01` decodes to `~1` and not `/`, because `~1` is decoded
    /// before `~0` (§4).
    public init(_ text: String) throws(JSONPointerError) {
        guard !text.isEmpty else {
            self.tokens = []
            return
        }
        guard text.utf8.first == UInt8(ascii: "/") else {
            throw JSONPointerError(pointer: text, message: "a JSON pointer must be empty or start with '/'")
        }
        var tokens: [String] = []
        var token: [UInt8] = []
        var bytes = Array(text.utf8).dropFirst().makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "/"):
                tokens.append(String(decoding: token, as: UTF8.self))
                token.removeAll(keepingCapacity: true)
            case UInt8(ascii: "~"):
                switch bytes.next() {
                case UInt8(ascii: "0"): token.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): token.append(UInt8(ascii: "/"))
                default:
                    throw JSONPointerError(pointer: text, message: "'~' must be followed by '0' or '1' in a JSON pointer")
                }
            default:
                token.append(byte)
            }
        }
        tokens.append(String(decoding: token, as: UTF8.self))
        self.tokens = tokens
    }

    /// The string form, with `~` written `~0` and `/` written `~1` (RFC 6901 §3).
    public var description: String {
        var text = ""
        for token in tokens {
            text.append("/")
            if token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) {
                for character in token.unicodeScalars {
                    switch character {
                    case "~": text.append("~0")
                    case "/": text.append("~1")
                    default: text.unicodeScalars.append(character)
                    }
                }
            } else {
                text.append(token)
            }
        }
        return text
    }

    public var isRoot: Bool { tokens.isEmpty }

    /// The pointer to the container holding this location; nil for the root.
    public var parent: JSONPointer? {
        isRoot ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    public mutating func append(_ token: String) {
        tokens.append(token)
    }

    public func appending(_ token: String) -> JSONPointer {
        var pointer = self
        pointer.tokens.append(token)
        return pointer
    }

    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// True when `other` lies strictly inside the value this pointer names, the case RFC 6902
    /// §4.4 forbids for `move` (a value cannot be moved into one of its children).
    public func isProperPrefix(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && other.tokens.starts(with: tokens) { $0.hasSameScalars(as: $1) }
    }

    public static func == (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        lhs.tokens.hasSameScalars(as: rhs.tokens)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tokens.count)
        for token in tokens { token.hashScalars(into: &hasher) }
    }

    /// The value this pointer names in `document` (RFC 6901 §4), or nil when there is none.
    /// `-` names no element (it is the index past the end), as §4 says.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let member = object[token] else { return nil }
                current = member
            case .array(let elements):
                guard let index = Self.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The array index a token spells: `0` or `[1-9][0-9]*` (RFC 6901 §4), no sign, no leading
    /// zero. nil for anything else, including `-` and indexes too large for an Int.
    public static func arrayIndex(_ token: String) -> Int? {
        let bytes = token.utf8
        guard let first = bytes.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return nil }
        guard first != UInt8(ascii: "0") || bytes.count == 1 else { return nil }
        guard bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(token)
    }
}

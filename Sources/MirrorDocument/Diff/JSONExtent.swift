/// How much room a JSON value takes: the bytes of its compact JSON and how deep its containers
/// nest. What bounds the document a patch builds (``JSONPatch/maximumResultSize``).
public struct JSONExtent: Sendable, Equatable {
    /// The exact size of the compact JSON ``JSONSerializer`` writes, escapes included.
    public var size: Int
    /// Containers nested in the value: 0 for a scalar, 1 for `[]` or `{"a":1}`, 2 for `[[1]]`.
    public var height: Int
}

extension JSONValue {
    /// The value's extent, found by a walk that stops as soon as the size passes `sizeLimit` or
    /// the nesting passes `heightLimit`; what it returns then is only known to be past one of them.
    ///
    /// Stopping is what makes it safe on any value: one that copy-on-write shares many times over
    /// (forty `copy` operations of the root, RFC 6902 §4.5) is looked at for `sizeLimit` bytes'
    /// worth and no more, and is never serialized.
    public func extent(sizeLimit: Int = .max, heightLimit: Int = .max) -> JSONExtent {
        var walk = ExtentWalk(sizeLimit: sizeLimit, heightLimit: heightLimit)
        _ = walk.add(self, level: 0)
        return JSONExtent(size: walk.size, height: walk.height)
    }

    /// The size of the value's compact JSON, for a value known to be bounded (a part of a
    /// document whose size is known, or one just parsed).
    public var compactSize: Int {
        extent().size
    }
}

/// The walk of ``JSONValue/extent(sizeLimit:heightLimit:)``.
private struct ExtentWalk {
    let sizeLimit: Int
    let heightLimit: Int
    var size = 0
    var height = 0

    /// Counts `value`, which `level` containers of the walked value hold; false once past a limit.
    mutating func add(_ value: JSONValue, level: Int) -> Bool {
        switch value {
        case .null: size += 4
        case .bool(let flag): size += flag ? 4 : 5
        case .number(let number): size += number.text.utf8.count
        case .string(let text): size += JSONValue.quotedSize(text)
        case .array(let elements):
            guard enter(level) else { return false }
            // Brackets and the commas between elements.
            size += elements.isEmpty ? 2 : elements.count + 1
            for element in elements {
                guard size <= sizeLimit, add(element, level: level + 1) else { return false }
            }
        case .object(let object):
            guard enter(level) else { return false }
            // Braces, commas, and each member's quoted key and colon.
            size += object.isEmpty ? 2 : object.count + 1
            for (key, member) in zip(object.keys, object.values) {
                size += JSONValue.quotedSize(key) + 1
                guard size <= sizeLimit, add(member, level: level + 1) else { return false }
            }
        }
        return size <= sizeLimit
    }

    /// A container at `level`: the value is at least `level + 1` deep.
    private mutating func enter(_ level: Int) -> Bool {
        height = max(height, level + 1)
        return height <= heightLimit
    }
}

extension JSONValue {
    /// The size of `text` as a JSON string: its quotes, its UTF-8 bytes and the escapes
    /// ``JSONSerializer`` writes (RFC 8259 §7: `\"`, `\\`, `\n`-style and `\u00XX` for controls;
    /// `\u2028` and `\u2029` for the two JavaScript line separators).
    static func quotedSize(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            escapeBytes.withUnsafeBufferPointer { extra in
                var size = bytes.count + 2
                var index = 0
                let count = bytes.count
                while index < count {
                    let added = extra[Int(bytes[index])]
                    if added == 0xFF {
                        // 0xE2 starts U+2028 or U+2029 (three bytes written as six), or another character.
                        if index + 2 < count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                            size += 3
                            index += 2
                        }
                    } else {
                        size += Int(added)
                    }
                    index += 1
                }
                return size
            }
        }
    }

    /// What each byte adds when escaped: 1 for `"`, `\` and the controls with a short escape, 5
    /// for the other controls (`\u00XX`), 0xFF for 0xE2, which needs a look at the next two.
    private static let escapeBytes: [UInt8] = (0..<256).map { byte in
        switch byte {
        case 0x22, 0x5C, 0x08, 0x09, 0x0A, 0x0C, 0x0D: 1
        case ..<0x20: 5
        case 0xE2: 0xFF
        default: 0
        }
    }
}

extension JSONPatch {
    /// Applies `operations` in order (RFC 6902 §3) and returns the result, or throws for the first
    /// operation that fails; §5 makes the whole patch fail then, so no partial result is returned.
    ///
    /// Each operation walks down its path and mutates the containers in place: a container is
    /// taken out of its parent before it is changed, so Swift's copy-on-write copies each array
    /// or object at most once per patch (when it is still shared with `document`), not once per
    /// operation. Thousands of operations on a large document stay proportional to the paths.
    public static func apply(_ operations: [PatchOperation], to document: JSONValue) throws(PatchError) -> JSONValue {
        var result = document
        for (index, operation) in operations.enumerated() {
            try PatchApplier(operationIndex: index).apply(operation, to: &result)
        }
        return result
    }

    /// Reads the patch document, then applies it.
    public static func apply(patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        try apply(try operations(from: patch), to: document)
    }
}

/// Applies one operation, knowing its index for the errors it throws.
struct PatchApplier {
    let operationIndex: Int

    func apply(_ operation: PatchOperation, to document: inout JSONValue) throws(PatchError) {
        switch operation {
        case .add(let path, let value):
            try add(value, at: path, in: &document)
        case .remove(let path):
            _ = try take(path, from: &document)
        case .replace(let path, let value):
            try replace(path, with: value, in: &document)
        case .move(let from, let path):
            // §4.4: a value cannot move into itself; moving to its own place changes nothing.
            if from.isProperPrefix(of: path) {
                throw error(.invalidTarget, from, "cannot move a value into one of its own children (\(path))")
            }
            if from == path {
                guard from.resolve(in: document) != nil else { throw error(.pathNotFound, from, "the 'from' location does not exist") }
                return
            }
            let value = try take(from, from: &document)
            try add(value, at: path, in: &document)
        case .copy(let from, let path):
            guard let value = from.resolve(in: document) else {
                throw error(.pathNotFound, from, "the 'from' location does not exist")
            }
            try add(value, at: path, in: &document)
        case .test(let path, let value):
            guard let found = path.resolve(in: document) else { throw error(.pathNotFound, path, "the target does not exist") }
            guard found.isEqualByValue(value) else {
                throw error(.testFailed, path, "the value is not equal to the expected one")
            }
        }
    }

    /// §4.1: the parent must exist; an array index may equal the count, or be `-`, to append.
    private func add(_ value: JSONValue, at path: JSONPointer, in document: inout JSONValue) throws(PatchError) {
        guard let token = path.tokens.last else {
            document = value
            return
        }
        try modifyParent(of: path, in: &document) { container throws(PatchError) in
            switch container {
            case .object(var object):
                container = .null
                object[token] = value
                container = .object(object)
            case .array(var elements):
                let index = token == "-" ? elements.count : JSONPointer.arrayIndex(token)
                guard let index, index <= elements.count else {
                    throw error(.invalidIndex, path, indexMessage(token, count: elements.count, allowingEnd: true))
                }
                container = .null
                elements.insert(value, at: index)
                container = .array(elements)
            default:
                throw error(.pathNotFound, path, "the parent is \(JSONPatch.article(container.kindName)), not a container")
            }
        }
    }

    /// §4.2: removes the target, which must exist, and returns it (for `move`).
    private func take(_ path: JSONPointer, from document: inout JSONValue) throws(PatchError) -> JSONValue {
        guard let token = path.tokens.last else {
            throw error(.invalidTarget, path, "cannot remove the whole document")
        }
        var removed = JSONValue.null
        try modifyParent(of: path, in: &document) { container throws(PatchError) in
            switch container {
            case .object(var object):
                guard let value = object[token] else { throw error(.pathNotFound, path, "the target does not exist") }
                container = .null
                object[token] = nil
                container = .object(object)
                removed = value
            case .array(var elements):
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                    throw error(.invalidIndex, path, indexMessage(token, count: elements.count, allowingEnd: false))
                }
                container = .null
                removed = elements.remove(at: index)
                container = .array(elements)
            default:
                throw error(.pathNotFound, path, "the parent is \(JSONPatch.article(container.kindName)), not a container")
            }
        }
        return removed
    }

    /// §4.3: the target must exist; the root always does.
    private func replace(_ path: JSONPointer, with value: JSONValue, in document: inout JSONValue) throws(PatchError) {
        guard let token = path.tokens.last else {
            document = value
            return
        }
        try modifyParent(of: path, in: &document) { container throws(PatchError) in
            switch container {
            case .object(var object):
                guard object.index(forKey: token) != nil else { throw error(.pathNotFound, path, "the target does not exist") }
                container = .null
                object[token] = value
                container = .object(object)
            case .array(var elements):
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                    throw error(.invalidIndex, path, indexMessage(token, count: elements.count, allowingEnd: false))
                }
                container = .null
                elements[index] = value
                container = .array(elements)
            default:
                throw error(.pathNotFound, path, "the parent is \(JSONPatch.article(container.kindName)), not a container")
            }
        }
    }

    /// Runs `body` on the value holding the target of `path` (all tokens but the last).
    private func modifyParent(
        of path: JSONPointer, in document: inout JSONValue, _ body: (inout JSONValue) throws(PatchError) -> Void
    ) throws(PatchError) {
        try modify(&document, path.tokens.dropLast(), path, body)
    }

    /// Walks `tokens` down from `value` and runs `body` on what they name. Each container on the
    /// way is detached from its parent (the parent's slot holds null meanwhile) so that it is
    /// uniquely referenced and mutates in place. A thrown error leaves `value` half-built, which
    /// is fine: ``JSONPatch/apply(_:to:)`` then discards it.
    private func modify(
        _ value: inout JSONValue, _ tokens: ArraySlice<String>, _ path: JSONPointer,
        _ body: (inout JSONValue) throws(PatchError) -> Void
    ) throws(PatchError) {
        guard let token = tokens.first else { return try body(&value) }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var object):
            guard let position = object.index(forKey: token) else {
                throw missing(path, through: tokens.startIndex)
            }
            var child = object.values[position]
            value = .null
            object[token] = .null
            try modify(&child, rest, path, body)
            object[token] = child
            value = .object(object)
        case .array(var elements):
            guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                throw missing(path, through: tokens.startIndex)
            }
            var child = elements[index]
            value = .null
            elements[index] = .null
            try modify(&child, rest, path, body)
            elements[index] = child
            value = .array(elements)
        default:
            throw missing(path, through: tokens.startIndex)
        }
    }

    private func missing(_ path: JSONPointer, through tokenIndex: Int) -> PatchError {
        let prefix = JSONPointer(tokens: Array(path.tokens[...tokenIndex]))
        return error(.pathNotFound, path, "there is no value at \"\(prefix)\"")
    }

    private func indexMessage(_ token: String, count: Int, allowingEnd: Bool) -> String {
        if let index = JSONPointer.arrayIndex(token) {
            return "index \(index) is out of bounds for an array of \(count) elements"
        }
        if token == "-" && !allowingEnd {
            return "'-' names no element; it may only be used to add"
        }
        return "the token is not an array index (digits with no leading zero)"
    }

    private func error(_ code: PatchError.Code, _ pointer: JSONPointer, _ message: String) -> PatchError {
        PatchError(code, operationIndex: operationIndex, pointer: pointer.description, message: message)
    }
}

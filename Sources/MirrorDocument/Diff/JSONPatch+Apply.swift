extension JSONPatch {
    /// The largest document, as compact JSON, that applying a patch may build: 64 MiB, the
    /// server's default `max_size` for a watched file.
    ///
    /// RFC 6902 bounds neither a patch's work nor its result, and `copy` (§4.5) doubles what it
    /// copies for a few bytes of patch: forty copies of the root of a 1 KB document make a
    /// terabyte. Copy-on-write shares it until the document is serialized or next changed, which
    /// is when a client without a bound runs out of memory. So each operation keeps count of the
    /// size it leaves (``JSONValue/extent(sizeLimit:heightLimit:)`` of what it adds or removes,
    /// a walk that stops at the bound), and the first one that would pass it fails the patch
    /// (§5) with ``PatchError/Code/resultTooLarge`` before anything that large is serialized.
    ///
    /// A document that is larger already (a stream with a larger `max_size`) may stay as large
    /// as it is, but no patch makes it grow.
    ///
    /// Nesting is bounded the same way, at ``JSONParser/maximumDepth``: a few hundred operations
    /// can otherwise nest a value one level deeper each, and a document 100,000 levels deep ends
    /// the process when it is serialized or freed (both recurse).
    ///
    /// And so is the work: one patch may look at no more than ``workFactor`` times the bound in
    /// all (the values it adds, copies, replaces and removes, and those it moves deeper), else it
    /// fails with ``PatchError/Code/tooMuchWork``. Copying a large value and removing it again,
    /// over and over, would otherwise cost a walk of it per operation: minutes for a few KB.
    public static let maximumResultSize = 64 << 20

    /// How many times ``maximumResultSize`` (or the document's own size, if larger) one patch
    /// may look at. A patch made by a diff looks at most at the document and its own values.
    public static let workFactor = 4

    /// Applies `operations` in order (RFC 6902 §3) and returns the result, or throws for the first
    /// operation that fails; §5 makes the whole patch fail then, so no partial result is returned.
    /// The result is bounded by ``maximumResultSize``.
    ///
    /// Each operation walks down its path and mutates the containers in place: a container is
    /// taken out of its parent before it is changed, so Swift's copy-on-write copies each array
    /// or object at most once per patch (when it is still shared with `document`), not once per
    /// operation. Thousands of operations on a large document stay proportional to the paths.
    public static func apply(_ operations: [PatchOperation], to document: JSONValue) throws(PatchError) -> JSONValue {
        try apply(operations, to: document, size: document.compactSize).document
    }

    /// As ``apply(_:to:)``, for a document whose compact JSON is known to be `size` bytes (a
    /// follower keeps it from patch to patch); returns the result's size too, counted as the
    /// operations went, so a patch costs its paths and what it adds or removes, not a walk of the
    /// whole document. The result may be `limit` bytes, or `size` if that is more.
    public static func apply(
        _ operations: [PatchOperation], to document: JSONValue, size: Int, limit: Int = maximumResultSize
    ) throws(PatchError) -> (document: JSONValue, size: Int) {
        var result = document
        let bound = max(limit, size)
        let work = bound.multipliedReportingOverflow(by: workFactor)
        var applier = PatchApplier(size: size, limit: bound, workLimit: work.overflow ? .max : work.partialValue)
        for (index, operation) in operations.enumerated() {
            try applier.apply(operation, index: index, to: &result)
        }
        return (result, applier.size)
    }

    /// Reads the patch document, then applies it.
    public static func apply(patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        try apply(try operations(from: patch), to: document)
    }

    /// Reads the patch document, then applies it to a document of known size.
    public static func apply(
        patch: JSONValue, to document: JSONValue, size: Int, limit: Int = maximumResultSize
    ) throws(PatchError) -> (document: JSONValue, size: Int) {
        try apply(try operations(from: patch), to: document, size: size, limit: limit)
    }
}

/// Applies operations one at a time, keeping count of the compact size of what they build.
struct PatchApplier {
    /// The size of the document's compact JSON as the operations so far left it.
    private(set) var size: Int
    /// The most ``size`` may become.
    let limit: Int
    /// The most bytes' worth of values the walks of one patch may look at.
    let workLimit: Int
    /// What the walks have looked at so far.
    private var walked = 0
    /// The operation being applied, for the errors it throws.
    private var operationIndex = 0

    init(size: Int, limit: Int, workLimit: Int) {
        self.size = size
        self.limit = limit
        self.workLimit = workLimit
    }

    mutating func apply(_ operation: PatchOperation, index: Int, to document: inout JSONValue) throws(PatchError) {
        operationIndex = index
        switch operation {
        case .add(let path, let value):
            try add(value, at: path, in: &document, counted: false)
        case .remove(let path):
            let removed = try take(path, from: &document)
            size -= try removed.overhead + extent(of: removed.value, path, heightLimit: .max).size
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
            // The value's own bytes stay in the count; only its key (or comma) moves. Moved
            // deeper, its nesting is looked at.
            let moved = try take(from, from: &document)
            size -= moved.overhead
            if path.tokens.count > from.tokens.count {
                _ = try extent(of: moved.value, path, heightLimit: heightLimit(at: path))
            }
            try add(moved.value, at: path, in: &document, counted: true)
        case .copy(let from, let path):
            guard let value = from.resolve(in: document) else {
                throw error(.pathNotFound, from, "the 'from' location does not exist")
            }
            try add(value, at: path, in: &document, counted: false)
        case .test(let path, let value):
            guard let found = path.resolve(in: document) else { throw error(.pathNotFound, path, "the target does not exist") }
            guard found.isEqualByValue(value) else {
                throw error(.testFailed, path, "the value is not equal to the expected one")
            }
        }
    }

    /// §4.1: the parent must exist; an array index may equal the count, or be `-`, to append.
    /// `counted`: the value's bytes are in ``size`` already (a moved value's).
    ///
    /// The value is inserted before it is measured: copy-on-write shares it, so nothing large is
    /// built by the insertion, and a patch that fails is thrown away whole.
    private mutating func add(_ value: JSONValue, at path: JSONPointer, in document: inout JSONValue, counted: Bool) throws(PatchError) {
        guard let token = path.tokens.last else {
            size = try extent(of: value, path, sizeLimit: counted ? .max : limit).size
            document = value
            return
        }
        var replaced: JSONValue?
        var overhead = 0
        try modifyParent(of: path, in: &document) { container throws(PatchError) in
            if var object = container.takeObject() {
                if let position = object.index(forKey: token) {
                    // The member's value gives way to this one; its key stays.
                    replaced = object.values[position]
                } else {
                    overhead = JSONValue.quotedSize(token) + 1 + (object.isEmpty ? 0 : 1)
                }
                object[token] = value
                container = .object(object)
            } else if var elements = container.takeArray() {
                let index = token == "-" ? elements.count : JSONPointer.arrayIndex(token)
                guard let index, index <= elements.count else {
                    throw error(.invalidIndex, path, indexMessage(token, count: elements.count, allowingEnd: true))
                }
                overhead = elements.isEmpty ? 0 : 1
                elements.insert(value, at: index)
                container = .array(elements)
            } else {
                throw error(.pathNotFound, path, "the parent is \(JSONPatch.article(container.kindName)), not a container")
            }
        }
        if let replaced { size -= try extent(of: replaced, path, heightLimit: .max).size }
        size += overhead
        if !counted { size += try extent(of: value, path, sizeLimit: limit - size).size }
        guard size <= limit else { throw tooLarge(path) }
    }

    /// §4.2: removes the target, which must exist, and returns it (for `move`) with the bytes its
    /// place took besides its own: its key, colon and a comma.
    private func take(_ path: JSONPointer, from document: inout JSONValue) throws(PatchError) -> (value: JSONValue, overhead: Int) {
        guard let token = path.tokens.last else {
            throw error(.invalidTarget, path, "cannot remove the whole document")
        }
        var removed = JSONValue.null
        var overhead = 0
        try modifyParent(of: path, in: &document) { container throws(PatchError) in
            if var object = container.takeObject() {
                guard let position = object.index(forKey: token) else { throw error(.pathNotFound, path, "the target does not exist") }
                removed = object.values[position]
                overhead = JSONValue.quotedSize(object.keys[position]) + 1 + (object.count > 1 ? 1 : 0)
                object[token] = nil
                container = .object(object)
            } else if var elements = container.takeArray() {
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                    throw error(.invalidIndex, path, indexMessage(token, count: elements.count, allowingEnd: false))
                }
                overhead = elements.count > 1 ? 1 : 0
                removed = elements.remove(at: index)
                container = .array(elements)
            } else {
                throw error(.pathNotFound, path, "the parent is \(JSONPatch.article(container.kindName)), not a container")
            }
        }
        return (removed, overhead)
    }

    /// §4.3: the target must exist; the root always does.
    private mutating func replace(_ path: JSONPointer, with value: JSONValue, in document: inout JSONValue) throws(PatchError) {
        guard let token = path.tokens.last else {
            size = try extent(of: value, path, sizeLimit: limit).size
            document = value
            return
        }
        var replaced = JSONValue.null
        try modifyParent(of: path, in: &document) { container throws(PatchError) in
            if var object = container.takeObject() {
                guard let position = object.index(forKey: token) else { throw error(.pathNotFound, path, "the target does not exist") }
                replaced = object.values[position]
                object[token] = value
                container = .object(object)
            } else if var elements = container.takeArray() {
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                    throw error(.invalidIndex, path, indexMessage(token, count: elements.count, allowingEnd: false))
                }
                replaced = elements[index]
                elements[index] = value
                container = .array(elements)
            } else {
                throw error(.pathNotFound, path, "the parent is \(JSONPatch.article(container.kindName)), not a container")
            }
        }
        size -= try extent(of: replaced, path, heightLimit: .max).size
        size += try extent(of: value, path, sizeLimit: limit - size).size
    }

    /// The extent of `value`, placed at `path`, by a walk that stops where the patch must fail:
    /// past `sizeLimit` bytes, past the nesting a value at `path` may have (``heightLimit``),
    /// or past what is left of the patch's work.
    private mutating func extent(
        of value: JSONValue, _ path: JSONPointer, sizeLimit: Int = .max, heightLimit: Int? = nil
    ) throws(PatchError) -> JSONExtent {
        let allowance = workLimit - walked
        let nesting = heightLimit ?? self.heightLimit(at: path)
        let extent = value.extent(sizeLimit: min(sizeLimit, allowance), heightLimit: nesting)
        walked += extent.size
        guard extent.height <= nesting else { throw tooDeep(path) }
        guard extent.size <= min(sizeLimit, allowance) else {
            throw sizeLimit <= allowance ? tooLarge(path) : tooMuchWork(path)
        }
        return extent
    }

    /// How deep a value placed at `path` may nest: `path` itself is inside as many containers as
    /// it has tokens.
    private func heightLimit(at path: JSONPointer) -> Int {
        JSONParser.maximumDepth - path.tokens.count
    }

    private func tooLarge(_ path: JSONPointer) -> PatchError {
        error(.resultTooLarge, path, "the document would be larger than \(Self.bytes(limit)) as JSON, the most a patch may build")
    }

    private func tooDeep(_ path: JSONPointer) -> PatchError {
        error(.resultTooDeep, path, "the document would nest deeper than \(JSONParser.maximumDepth) levels, the most a patch may build")
    }

    private func tooMuchWork(_ path: JSONPointer) -> PatchError {
        error(.tooMuchWork, path, "the patch would look at more than \(Self.bytes(workLimit)) of values, the most one patch may")
    }

    /// "64 MiB", or a number of bytes that is not a whole number of MiB.
    private static func bytes(_ count: Int) -> String {
        count % (1 << 20) == 0 ? "\(count >> 20) MiB" : "\(count) bytes"
    }

    /// Runs `body` on the value holding the target of `path` (all tokens but the last).
    private func modifyParent(
        of path: JSONPointer, in document: inout JSONValue, _ body: (inout JSONValue) throws(PatchError) -> Void
    ) throws(PatchError) {
        try modify(&document, path.tokens.dropLast(), path, body)
    }

    /// Walks `tokens` down from `value` and runs `body` on what they name. Each container on the
    /// way is taken out of its parent (the parent's slot holds null meanwhile, see
    /// `JSONValue.takeArray()`) so that it is uniquely referenced and mutates in place. A thrown error leaves `value` half-built, which
    /// is fine: ``JSONPatch/apply(_:to:)`` then discards it.
    private func modify(
        _ value: inout JSONValue, _ tokens: ArraySlice<String>, _ path: JSONPointer,
        _ body: (inout JSONValue) throws(PatchError) -> Void
    ) throws(PatchError) {
        guard let token = tokens.first else { return try body(&value) }
        let rest = tokens.dropFirst()
        if var object = value.takeObject() {
            guard let position = object.index(forKey: token) else {
                throw missing(path, through: tokens.startIndex)
            }
            var child = object.values[position]
            object[token] = .null
            try modify(&child, rest, path, body)
            object[token] = child
            value = .object(object)
        } else if var elements = value.takeArray() {
            guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                throw missing(path, through: tokens.startIndex)
            }
            var child = elements[index]
            elements[index] = .null
            try modify(&child, rest, path, body)
            elements[index] = child
            value = .array(elements)
        } else {
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

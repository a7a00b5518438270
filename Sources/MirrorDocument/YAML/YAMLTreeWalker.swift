/// What one kind of tree makes of libyaml's events: a config's ``YAMLNode`` (marks kept, scalars
/// resolved later) or a watched document's ``JSONValue`` (scalars resolved now). The walk itself
/// (one document, anchors and aliases, bounds on depth and expansion, unique keys) is
/// ``YAMLTreeWalker``'s, once for both.
protocol YAMLTreeRules {
    associatedtype Node

    /// How deeply collections may nest, aliases included.
    static var maximumDepth: Int { get }

    /// A scalar as a node; throws when the scalar does not fit its tag.
    static func node(_ scalar: YAMLScalar, mark: SourceMark) throws(YAMLError) -> Node
    /// The key a node spells where a mapping expects one; `viaAlias` when an alias stands there.
    static func key(_ node: Node, mark: SourceMark, viaAlias: Bool) throws(YAMLError) -> String
    static func mapping(keys: [(text: String, mark: SourceMark)], values: [Node], mark: SourceMark) -> Node
    static func sequence(_ items: [Node], mark: SourceMark) -> Node
    /// What an alias stands for at the place it is written.
    static func aliased(_ node: Node, mark: SourceMark) -> Node

    /// Throws when the tree has grown past what this kind allows: `nodes` counts every node with
    /// aliases expanded, `aliasNodes` only those that aliases add.
    static func checkSize(nodes: Int, aliasNodes: Int, mark: SourceMark) throws(YAMLError)
    /// A collection may carry only the tags that keep it what it is.
    static func checkCollectionTag(_ tag: String?, isMapping: Bool, mark: SourceMark) throws(YAMLError)

    static func secondDocument(_ mark: SourceMark) -> YAMLError
    static func collectionKey(isMapping: Bool, mark: SourceMark) -> YAMLError
    static func duplicateKey(_ key: String, first: SourceMark, mark: SourceMark) -> YAMLError
    static func unknownAlias(_ name: String, mark: SourceMark) -> YAMLError
    static func tooDeep(_ mark: SourceMark) -> YAMLError
}

/// Turns libyaml's flat event stream into a tree with an explicit stack (no recursion while building).
///
/// libyaml checks the syntax; this adds what it leaves out: duplicate mapping keys (YAML 1.2.2
/// §3.2.1.1 requires keys to be unique; libyaml accepts them), a single document, scalar keys, and
/// bounds on how far aliases expand ("billion laughs") and how deeply collections nest. Every
/// collection being built is a frame that collects its children in place, with the size and height
/// of what it holds so far, so an alias costs a dictionary lookup whatever it points to.
struct YAMLTreeWalker<Rules: YAMLTreeRules> {
    private struct Frame {
        var isMapping: Bool
        var mark: SourceMark
        var anchor: String?
        var values: [Rules.Node] = []
        var keys: [(text: String, mark: SourceMark)] = []
        /// The mapping's keys so far, so a duplicate is found without a scan; by Unicode scalars
        /// (``ScalarString``), so NFC and NFD spellings are two keys, as in JSON.
        var keySet: [ScalarString: SourceMark] = [:]
        var pendingKey: (text: String, mark: SourceMark)?
        /// Nodes in this collection, itself and its keys included (what an alias to it costs).
        var weight = 1
        /// Levels of collections from this one down, itself included.
        var height = 1

    }

    /// A node an anchor names, with the size and height an alias to it adds.
    private struct Anchored {
        var node: Rules.Node
        var weight: Int
        var height: Int
    }

    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var nodes = 0
    private var aliasNodes = 0
    private var root: Rules.Node?
    private var documents = 0

    init() {}

    /// The document's root, or nil for an empty stream.
    mutating func run(_ parser: LibYAMLParser) throws(YAMLError) -> Rules.Node? {
        while true {
            let event = try parser.next()
            switch event.kind {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                return root
            case .documentStart:
                documents += 1
                if documents > 1 { throw Rules.secondDocument(event.mark) }
            case .mappingStart, .sequenceStart:
                let isMapping = if case .mappingStart = event.kind { true } else { false }
                if awaitsKey { throw Rules.collectionKey(isMapping: isMapping, mark: event.mark) }
                try Rules.checkCollectionTag(event.tag, isMapping: isMapping, mark: event.mark)
                // Checked as each level opens, before libyaml reads further or the tree grows deeper.
                if stack.count >= Rules.maximumDepth { throw Rules.tooDeep(event.mark) }
                try count(1, viaAlias: false, at: event.mark)
                stack.append(Frame(isMapping: isMapping, mark: event.mark, anchor: event.anchor))
            case .mappingEnd, .sequenceEnd:
                let frame = stack.removeLast()
                let node = frame.isMapping
                    ? Rules.mapping(keys: frame.keys, values: frame.values, mark: frame.mark)
                    : Rules.sequence(frame.values, mark: frame.mark)
                // Counted when it opened, its children as they came.
                add(node, anchor: frame.anchor, weight: frame.weight, height: frame.height)
            case .scalar(let scalar):
                let node = try Rules.node(scalar, mark: event.mark)
                try count(1, viaAlias: false, at: event.mark)
                if awaitsKey {
                    try addKey(Rules.key(node, mark: event.mark, viaAlias: false), mark: event.mark)
                    if let anchor = event.anchor { anchors[anchor] = Anchored(node: node, weight: 1, height: 0) }
                } else {
                    add(node, anchor: event.anchor, weight: 1, height: 0)
                }
            case .alias(let name):
                guard let anchored = anchors[name] else { throw Rules.unknownAlias(name, mark: event.mark) }
                if stack.count + anchored.height > Rules.maximumDepth { throw Rules.tooDeep(event.mark) }
                // An alias stands for every node of what it names, so it counts them all again.
                try count(anchored.weight, viaAlias: true, at: event.mark)
                let node = Rules.aliased(anchored.node, mark: event.mark)
                if awaitsKey {
                    try addKey(Rules.key(node, mark: event.mark, viaAlias: true), mark: event.mark)
                } else {
                    add(node, anchor: nil, weight: anchored.weight, height: anchored.height)
                }
            }
        }
    }

    /// Whether the next node is a mapping's key. Read in place: a copy of the top frame alive
    /// while it is mutated would copy its arrays each time, a quadratic walk.
    private var awaitsKey: Bool {
        guard !stack.isEmpty else { return false }
        return stack[stack.count - 1].isMapping && stack[stack.count - 1].pendingKey == nil
    }

    private mutating func count(_ added: Int, viaAlias: Bool, at mark: SourceMark) throws(YAMLError) {
        nodes += added
        if viaAlias { aliasNodes += added }
        try Rules.checkSize(nodes: nodes, aliasNodes: aliasNodes, mark: mark)
    }

    /// Adds a finished node to the collection being built, or makes it the root; `weight` and
    /// `height` are what it brings to the size and depth of that collection (and of an alias to it).
    private mutating func add(_ node: Rules.Node, anchor: String?, weight: Int, height: Int) {
        if let anchor { anchors[anchor] = Anchored(node: node, weight: weight, height: height) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].weight += weight
        stack[top].height = max(stack[top].height, height + 1)
        stack[top].values.append(node)
        if let key = stack[top].pendingKey {
            stack[top].keys.append(key)
            stack[top].pendingKey = nil
        }
    }

    private mutating func addKey(_ key: String, mark: SourceMark) throws(YAMLError) {
        let top = stack.count - 1
        if let first = stack[top].keySet.updateValue(mark, forKey: ScalarString(key)) {
            throw Rules.duplicateKey(key, first: first, mark: mark)
        }
        stack[top].pendingKey = (key, mark)
        stack[top].weight += 1
    }
}

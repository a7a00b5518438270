/// A YAML node with the mark of where it starts, as read by ``YAMLParser``.
///
/// Only the shapes a config file needs: scalars keep their text and style so that
/// ``YAMLScalar/resolved`` can apply the YAML 1.2 core schema, mappings keep their keys
/// in file order (duplicates are rejected while parsing).
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        case scalar(YAMLScalar)
        case mapping([YAMLMappingEntry])
        case sequence([YAMLNode])
    }

    public var kind: Kind
    public var mark: SourceMark

    public init(kind: Kind, mark: SourceMark) {
        self.kind = kind
        self.mark = mark
    }

    /// How the node is spoken of in an error message ("a mapping", "the string \"x\"").
    public var summary: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .scalar(let scalar): return scalar.resolved.summary
        }
    }
}

public struct YAMLMappingEntry: Sendable {
    public var key: String
    public var keyMark: SourceMark
    public var value: YAMLNode
}

/// A scalar as written, before schema resolution.
public struct YAMLScalar: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var text: String
    public var style: Style
    /// The explicit tag, if one was written (`!!str`, `tag:yaml.org,2002:int`), in its long form.
    public var tag: String?

    public init(text: String, style: Style = .plain, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }
}

/// An `If-None-Match` field's list of entity tags (RFC 9110 §13.1.2), compared weakly as that
/// section requires: `W/"x"` matches `"x"`, and `*` matches any current representation.
struct EntityTags {
    private var any = false
    private var tags: Set<Substring> = []

    init(_ fields: [String]) {
        for field in fields {
            for item in field.split(separator: ",") {
                var tag = item.drop(while: { $0 == " " || $0 == "\t" })
                while let last = tag.last, last == " " || last == "\t" { tag.removeLast() }
                if tag == "*" { any = true }
                if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
                tags.insert(tag)
            }
        }
    }

    func matches(_ tag: String) -> Bool {
        any || tags.contains(Substring(tag))
    }
}

/// Watch descriptor → who uses it, and for what, for one inotify instance.
///
/// inotify gives one watch per inode per instance (inotify(7)): two files in one folder, or two
/// trees over the same folder (`build/` and `build/**/*.tar.gz`), get the same descriptor. So an
/// event goes to every user of its descriptor, and the watch is removed only when its last user
/// lets go. An owner holds a descriptor once; its label says what for (a tree's folder, say), and
/// adding it again relabels it (a folder renamed in place).
struct WatchRegistry<Owner: Hashable, Label> {
    private var users: [Int32: [Owner: Label]] = [:]

    func users(of watch: Int32) -> [Owner: Label] {
        users[watch] ?? [:]
    }

    /// Records a use; the owner's earlier label for this watch, if any, is replaced.
    mutating func add(_ watch: Int32, owner: Owner, label: Label) {
        users[watch, default: [:]][owner] = label
    }

    /// Ends an owner's use; true when nobody uses the watch any more (remove it from inotify then).
    mutating func remove(_ watch: Int32, owner: Owner) -> Bool {
        guard var list = users[watch] else { return false }
        list[owner] = nil
        users[watch] = list.isEmpty ? nil : list
        return list.isEmpty
    }

    /// The kernel dropped the watch (IN_IGNORED): nobody has it any more. Returns who had it.
    @discardableResult
    mutating func forget(_ watch: Int32) -> [Owner: Label] {
        users.removeValue(forKey: watch) ?? [:]
    }

    /// Forgets every watch; returns their descriptors.
    mutating func removeAll() -> [Int32] {
        defer { users = [:] }
        return Array(users.keys)
    }
}

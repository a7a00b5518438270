/// Watch descriptor → who uses it, for the one inotify instance every tree stream shares.
///
/// inotify gives one watch per inode per instance: two streams over the same folder (`build/` and
/// `build/**/*.tar.gz`) get the same descriptor, so an event goes to each user, and the watch is
/// removed only when its last user lets go. A user is a tree and the folder the watch is for, or
/// (folder nil) the nearest existing ancestor of a tree's missing root.
struct WatchRegistry {
    struct User: Equatable {
        var tree: Int
        var folder: String?
    }

    private var users: [Int32: [User]] = [:]

    func users(of watch: Int32) -> [User] {
        users[watch] ?? []
    }

    /// Records a use; a tree has one use per watch, so a folder renamed in place takes the new label.
    mutating func add(_ watch: Int32, tree: Int, folder: String?) {
        var list = users[watch] ?? []
        list.removeAll { $0.tree == tree }
        list.append(User(tree: tree, folder: folder))
        users[watch] = list
    }

    /// Ends a tree's use; true when nobody uses the watch any more (remove it from inotify then).
    mutating func remove(_ watch: Int32, tree: Int) -> Bool {
        guard var list = users[watch] else { return false }
        list.removeAll { $0.tree == tree }
        users[watch] = list.isEmpty ? nil : list
        return list.isEmpty
    }

    /// The kernel dropped the watch (IN_IGNORED): no user has it any more.
    mutating func forget(_ watch: Int32) {
        users[watch] = nil
    }
}

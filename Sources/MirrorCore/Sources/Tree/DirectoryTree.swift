import MirrorDocument

/// What the watcher knows of one tree's folders and files: relative folder → watch descriptor,
/// and the keys of the files it has seen (by a scan or an event), so that a folder deleted or moved
/// out can take its whole subtree with it. Owned by the watcher thread; plain value. Paths are
/// compared by Unicode scalars (``ScalarString``), as the file system tells names apart.
struct DirectoryTree {
    /// Relative folder (`""` for the root) → its watch.
    private(set) var folders: [ScalarString: Int32] = [:]
    /// The keys of the regular files seen and not seen to go since.
    private(set) var files: Set<ScalarString> = []

    mutating func add(folder: String, watch: Int32) {
        folders[ScalarString(folder)] = watch
    }

    mutating func add(file key: String) {
        files.insert(ScalarString(key))
    }

    mutating func remove(file key: String) {
        files.remove(ScalarString(key))
    }

    /// Removes a folder and everything under it (all of it for the root, `""`); returns the
    /// watches it held and the keys of its files, which the caller looks at again.
    mutating func removeSubtree(_ folder: String) -> (watches: [Int32], files: [String]) {
        let prefix = Array((folder + "/").utf8)
        // By bytes: `String.hasPrefix` would take `e\u{301}/x` to be inside `é`.
        func under(_ path: ScalarString) -> Bool { folder.isEmpty || path.string.utf8.starts(with: prefix) }
        var watches: [Int32] = []
        for (path, watch) in folders where under(path) || path == ScalarString(folder) {
            watches.append(watch)
            folders[path] = nil
        }
        let gone = files.filter(under)
        if folder.isEmpty {
            files = []
        } else {
            files.subtract(gone)
        }
        return (watches, gone.map(\.string))
    }
}

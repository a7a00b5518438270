/// What the watcher knows of one tree's folders and files: relative folder → watch descriptor,
/// and the keys of the files it has seen (by a scan or an event), so that a folder deleted or moved
/// out can take its whole subtree with it. Owned by the watcher thread; plain value.
struct DirectoryTree {
    /// Relative folder (`""` for the root) → its watch.
    private(set) var folders: [String: Int32] = [:]
    /// The keys of the regular files seen and not seen to go since.
    private(set) var files: Set<String> = []

    mutating func add(folder: String, watch: Int32) {
        folders[folder] = watch
    }

    mutating func add(file key: String) {
        files.insert(key)
    }

    mutating func remove(file key: String) {
        files.remove(key)
    }

    /// Removes a folder and everything under it (all of it for the root, `""`); returns the
    /// watches it held and the keys of its files, which the caller looks at again.
    mutating func removeSubtree(_ folder: String) -> (watches: [Int32], files: [String]) {
        let prefix = folder + "/"
        func inside(_ path: String) -> Bool { folder.isEmpty || path == folder || path.hasPrefix(prefix) }
        var watches: [Int32] = []
        for (path, watch) in folders where inside(path) {
            watches.append(watch)
            folders[path] = nil
        }
        let gone = files.filter { folder.isEmpty || $0.hasPrefix(prefix) }
        if folder.isEmpty {
            files = []
        } else {
            files.subtract(gone)
        }
        return (watches, Array(gone))
    }
}

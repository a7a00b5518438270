/// The files and folders a directory stream leaves out: editor and tool temp files by default,
/// plus the stream's `ignore:` globs.
///
/// A glob without `/` matches the name of a file or folder at any depth (`*.log`, `node_modules`);
/// a glob with `/` matches the whole path relative to the root (`cache/**`, `tmp/*.part`; a leading
/// `/` is dropped), as .gitignore reads them. An ignored folder is neither watched nor scanned, so
/// nothing under it is an entry. Globs use ``TreeGlob``'s grammar.
public struct TreeIgnore: Sendable {
    /// vim's swap files and its write test file (`4913`), backups (`file~`), JetBrains' safe-write
    /// copies (`name___jb_tmp___`, `name___jb_old___`) and Emacs' lock files (`.#name`).
    public static let defaults = ["*.swp", "*~", "4913", "*___jb_*___", ".#*"]

    private let names: [String]
    private let paths: [[String]]

    public init(_ globs: [String]) {
        var names: [String] = []
        var paths: [[String]] = []
        for glob in Self.defaults + globs {
            var glob = Substring(glob)
            while glob.hasSuffix("/") { glob = glob.dropLast() }
            while glob.hasPrefix("/") { glob = glob.dropFirst() }
            if glob.contains("/") {
                paths.append(glob.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
            } else if !glob.isEmpty {
                names.append(String(glob))
            }
        }
        self.names = names
        self.paths = paths
    }

    /// Whether the file or folder at `key` (relative, `/`-separated) is left out.
    public func ignores(_ key: String) -> Bool {
        let name = key.split(separator: "/").last ?? Substring(key)
        if names.contains(where: { TreeGlob.matchesSegment($0, name) }) { return true }
        guard !paths.isEmpty else { return false }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)[...]
        return paths.contains { TreeGlob.matches($0[...], segments) }
    }
}

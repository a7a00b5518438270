import Glibc
public import MirrorDocument

/// Where a watched path really leads, and every directory whose change could redirect it.
///
/// A Kubernetes ConfigMap volume mounts `app.json → ..data/app.json` with `..data` a symlink that
/// an update swaps by renaming `..data_tmp` over it: no event ever names `app.json`. So the watcher
/// watches the folder of every link in the chain as well as the target's folder, and on any event
/// there resolves again and compares identities.
public struct PathResolution: Sendable, Equatable {
    /// The path with every symlink followed, lexically; the file may not exist.
    public var target: String
    /// Folders that hold a symlink of the chain, in the order met.
    public var linkDirectories: [String]
    /// The nearest existing folder at or above the target's folder: normally the target's folder;
    /// while that is missing, an ancestor whose events may announce it.
    public var watchedTargetDirectory: String

    public var targetDirectory: String { PathText.directory(of: target) }
    public var targetName: String { PathText.name(of: target) }

    /// Every folder to watch, by Unicode scalars (``ScalarString``): folders named `café` in NFC
    /// and in NFD are two folders to the file system, and `Set<String>` would keep only one.
    public var directories: Set<ScalarString> { Set((linkDirectories + [watchedTargetDirectory]).map { ScalarString($0) }) }

    /// The same paths, byte for byte (``String/hasSameScalars(as:)``), not by Swift's `String ==`.
    public static func == (lhs: PathResolution, rhs: PathResolution) -> Bool {
        lhs.target.hasSameScalars(as: rhs.target) && lhs.linkDirectories.hasSameScalars(as: rhs.linkDirectories)
            && lhs.watchedTargetDirectory.hasSameScalars(as: rhs.watchedTargetDirectory)
    }
}

public enum PathResolver {
    /// As in the kernel's path walk (path_resolution(7)), a chain this long is a loop.
    static let maximumLinks = 40

    public static func resolve(_ path: String) -> PathResolution {
        var pending = Array(PathText.normalize(path).split(separator: "/").map(String.init).reversed())
        var current = "/"
        var linkDirectories: [String] = []
        var links = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                current = PathText.directory(of: current)
                continue
            }
            let candidate = PathText.join(current, component)
            guard links < maximumLinks, let destination = readLink(candidate) else {
                current = candidate
                continue
            }
            links += 1
            if !linkDirectories.contains(where: { $0.hasSameScalars(as: current) }) { linkDirectories.append(current) }
            if destination.hasPrefix("/") { current = "/" }
            pending += destination.split(separator: "/").map(String.init).reversed()
        }
        var existing = PathText.directory(of: current)
        while existing != "/" && !isDirectory(existing) {
            existing = PathText.directory(of: existing)
        }
        return PathResolution(target: current, linkDirectories: linkDirectories, watchedTargetDirectory: existing)
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let count = readlink(path, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

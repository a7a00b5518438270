import Glibc

/// Lists a folder's entries by kind, without following symlinks in it: regular files and folders
/// are reported, anything else (symlinks, sockets, FIFOs, devices) is skipped unopened, as
/// `find -type f` does. Names are raw bytes (a Linux name need not be UTF-8).
enum DirectoryListing {
    static func list(_ path: String, followingLinks: Bool, _ body: (_ name: [UInt8], _ isFolder: Bool) -> Void) {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW)
        let fd = open(path, flags)
        guard fd >= 0 else { return }
        guard let folder = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(folder) }
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            var type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                var info = stat()
                let found = name.withUnsafeBufferPointer { bytes in
                    (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { fstatat(dirfd(folder), $0.baseAddress!, &info, AT_SYMLINK_NOFOLLOW) == 0 }
                }
                guard found else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: type = Int32(DT_DIR)
                case S_IFREG: type = Int32(DT_REG)
                default: continue
                }
            }
            if type == Int32(DT_DIR) {
                body(name, true)
            } else if type == Int32(DT_REG) {
                body(name, false)
            }
        }
    }
}

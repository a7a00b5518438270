import Glibc
import MirrorDocument

/// What one look at a key of a tree found.
enum TreeLook: Sendable {
    /// No regular file at the key (deleted, moved away, a folder, a symlink, a FIFO…).
    case absent
    /// The entry for the file. `settled` is false when the file kept changing while it was read:
    /// the tree looks again once writes settle.
    case entry(JSONValue, identity: FileIdentity, settled: Bool)
    /// No reading to trust (the file changed during every try, or descriptors ran out): the entry
    /// stays as it is and the tree looks again once writes settle.
    case retry
    /// A writer holds the file open: `{"size": …, "mtime": …, "writing": true}`, never a hash of the
    /// bytes so far. It is not remembered by identity (a later look at an unchanged file reads it
    /// again), and `settled` false has the tree look again once writes settle.
    case writing(JSONValue, identity: FileIdentity, settled: Bool)
}

/// Why a key is looked at, which decides whether an earlier hash may stand.
enum TreeLookReason: Sendable {
    /// The writer closed the file (IN_CLOSE_WRITE), or a reading did not hold still: read again.
    case content
    /// inotify reported an IN_CREATE or IN_MODIFY since the file's last IN_CLOSE_WRITE: a writer
    /// holds it open, so only its size and mtime are taken. This is what inotify knows whatever
    /// the writer's user; no lease and no timing is needed.
    case writing
    /// The name may have come or gone (a scan, a move, a delete, IN_ATTRIB): a file whose device,
    /// inode, size, mtime and ctime equal those of an entry already read keeps that entry's value
    /// (rsync's quick check, with ctime, which a writer that sets the mtime back cannot keep); a
    /// content event always reads. No event says whether a writer holds a file found this way
    /// (one open before the server started or before its folder was watched), so where the kernel
    /// grants a read lease it is asked (``FileReader/heldForWriting(_:)``).
    case presence
}

/// Looks at one key of a tree: the file is reached from the root folder one component at a time,
/// never through a symlink (`openat` with `O_NOFOLLOW`), so nothing outside the tree is read even if
/// a folder is swapped for a link meanwhile. Only regular files are opened (lstat first, then
/// `O_NONBLOCK` and a check that the opened inode is the one stat'ed), so a FIFO or a device is
/// never touched.
struct TreeFileReader: Sendable {
    let root: String
    let format: DocumentFormat
    let hash: Bool
    let maxSize: Int
    /// The stream's `transform`, applied to each entry's value (its content or its metadata).
    let transform: Transform

    /// - Parameter known: the value of an entry already read with this identity, if any.
    func look(_ key: String, reason: TreeLookReason, buffer: UnsafeMutableRawBufferPointer, known: (FileIdentity) -> JSONValue?) -> (TreeLook, bytes: Int) {
        let components = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var folder = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return (Self.lookFailed(errno), 0) }
        defer { close(folder) }
        for component in components.dropLast() {
            let next = openat(folder, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { return (Self.lookFailed(errno), 0) }
            close(folder)
            folder = next
        }
        let name = components.last!
        for _ in 0..<FileHasher.attempts {
            var info = stat()
            guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                return (.absent, 0)
            }
            let identity = FileIdentity(info)
            if reason == .presence, let value = known(identity) {
                // Already transformed when it was read.
                return (.entry(value, identity: identity, settled: true), 0)
            }
            if format == .manifest && !hash && reason != .writing {
                return (entry(ManifestEntry(identity).value, identity: identity, settled: true), 0)
            }
            let fd = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else {
                let code = errno
                if code == ENOENT || code == ELOOP { return (.absent, 0) }
                if Self.isTransient(code) { return (.retry, 0) }
                // Unreadable, but its writer is still at it: in progress all the same.
                if reason == .writing { return (writing(identity, settled: true), 0) }
                return (entry(ManifestEntry(identity, error: String(cString: strerror(code))).value, identity: identity, settled: true), 0)
            }
            defer { close(fd) }
            // The name may have been replaced between the stat and the open: look again.
            guard let opened = try? FileHasher.identity(fd), opened.inode == identity.inode, opened.device == identity.device else { continue }
            if Self.mayBeHeld(fd, reason: reason) { return (writing(opened, settled: true), 0) }
            if format == .manifest && !hash { return (entry(ManifestEntry(opened).value, identity: opened, settled: true), 0) }
            return read(fd, identity: opened, buffer: buffer)
        }
        return (.absent, 0)
    }

    private func read(_ fd: Int32, identity: FileIdentity, buffer: UnsafeMutableRawBufferPointer) -> (TreeLook, bytes: Int) {
        func failed(_ error: FileReadError) -> (TreeLook, bytes: Int) {
            if error.isNoReading { return (.retry, 0) }
            return (entry(ManifestEntry(identity, error: error.description).value, identity: identity, settled: true), 0)
        }
        if format == .manifest {
            do {
                let hash = try FileHasher.hash(fd, buffer: buffer)
                // A hash of bytes that changed while they were read is the hash of no version.
                guard hash.settled else { return (writing(hash.identity, settled: false), hash.bytesRead) }
                return (entry(ManifestEntry(hash.identity, sha256: hash.hex).value, identity: hash.identity, settled: true), hash.bytesRead)
            } catch {
                return failed(error)
            }
        }
        let content: FileContent
        do {
            content = try FileReader.read(fd, limit: maxSize)
        } catch {
            if error.isNoReading { return failed(error) }
            return (entry(Self.invalid(DocumentError(line: nil, column: nil, message: "cannot read the file: \(error)")), identity: identity, settled: true), 0)
        }
        do {
            let value = try DocumentReader.read(content.bytes, format: format)
            return (entry(value, identity: content.identity, settled: true), content.bytes.count)
        } catch {
            return (entry(Self.invalid(error), identity: content.identity, settled: true), content.bytes.count)
        }
    }

    /// An entry as the stream publishes it: through the `transform` rules, or, when a rule cannot
    /// apply (a `select` the file lacks), the error in the entry's place; never the value untouched.
    private func entry(_ value: JSONValue, identity: FileIdentity, settled: Bool) -> TreeLook {
        do {
            return .entry(try transform.apply(to: value), identity: identity, settled: settled)
        } catch {
            return .entry(Self.invalid(error), identity: identity, settled: settled)
        }
    }

    /// Whether to take the file as held by a writer. After a close (`content`) it is not: the close
    /// is what inotify says. After an IN_CREATE or IN_MODIFY (`writing`) it is, unless the kernel
    /// grants a read lease, which proves that no descriptor has it open for writing (a hard link or
    /// truncate(2) on a path sends IN_CREATE or IN_MODIFY and no close). A file found by a listing or
    /// a move (`presence`) is, if the lease is refused.
    static func mayBeHeld(_ fd: Int32, reason: TreeLookReason) -> Bool {
        switch reason {
        case .content: false
        case .writing: FileReader.heldForWriting(fd) != false
        case .presence: FileReader.heldForWriting(fd) == true
        }
    }

    /// The entry of a file a writer holds open. A manifest entry goes through the `transform` as
    /// any other (`omit: [mtime]` holds for it too); in a content format there is no content to
    /// transform yet, so the marker stands as it is.
    private func writing(_ identity: FileIdentity, settled: Bool) -> TreeLook {
        let marker = ManifestEntry(identity, writing: true).value
        guard format == .manifest else { return .writing(marker, identity: identity, settled: settled) }
        guard case .entry(let value, _, _) = entry(marker, identity: identity, settled: settled) else {
            return .writing(marker, identity: identity, settled: settled)
        }
        return .writing(value, identity: identity, settled: settled)
    }

    /// A failure on the way to the file: nothing there, unless the system was short of something
    /// that comes back (then look again rather than drop the entry).
    static func lookFailed(_ code: Int32) -> TreeLook {
        isTransient(code) ? .retry : .absent
    }

    static func isTransient(_ code: Int32) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOMEM || code == EINTR || code == EAGAIN
    }

    /// `{"invalid": {"line": …, "column": …, "message": …}}`, the `invalid` event's payload as an entry.
    static func invalid(_ error: DocumentError) -> JSONValue {
        let place = { (number: Int?) -> JSONValue in number.map { .number(JSONNumber($0)) } ?? .null }
        return ["invalid": ["line": place(error.line), "column": place(error.column), "message": .string(error.message)]]
    }
}

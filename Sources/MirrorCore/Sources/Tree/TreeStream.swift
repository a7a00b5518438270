import Logging
import MirrorDocument

/// One directory stream's document: the tree's entries, keyed by path relative to the root, and
/// their publication.
///
/// The watcher (``TreeSource``) decides which keys to look at; this type looks at them (on
/// workers, in parallel for a big batch) and applies what it found. A look tells the truth about a
/// key at that moment (an entry, or none), so whatever sequence of creates, moves and deletes came
/// before, the document converges on the tree as long as every key that may have changed is looked
/// at. One batch per stream is in flight at a time, so the entries need no lock: looks only read
/// them, and the last job of a batch writes them after every look has ended.
final class TreeStream: SourceStream, @unchecked Sendable {
    /// What the engine runs a job on; `big` batches go to the niced pool.
    typealias Executor = SourceContext.Executor

    let basis: StreamBasis
    let glob: TreeGlob
    let ignore: TreeIgnore
    private let reader: TreeFileReader

    private struct Entry {
        var value: JSONValue
        var identity: FileIdentity
    }

    /// Keyed by Unicode scalars: `é` in NFC and in NFD are two files, as the file system has them.
    private var entries: [ScalarString: Entry] = [:]
    /// Identity → a key whose entry was read with it: a renamed or moved file keeps its entry.
    private var keysByIdentity: [FileIdentity: String] = [:]
    /// Versions of the tree, numbered: the delta comes from the entries, so the state needs no
    /// copy of the document, and the whole one is built only for the event that carries it.
    private var state = StreamState<TreeRevision>()
    private var revisions: UInt64 = 0
    /// The size of the last whole document sent, which a patch is weighed against (`patch_ratio`).
    private var wholeSize = 2

    /// A batch of this many keys is shared by two jobs on the niced pool (a first scan, a folder
    /// moved in); fewer go to one job on the normal pool, so one changed file is published at once.
    static let bigBatch = 16
    /// A batch of this many keys logs its progress.
    static let loggedBatch = 1000
    static let progressInterval: Duration = .seconds(3)

    init(_ basis: StreamBasis) {
        self.basis = basis
        let config = basis.config
        self.glob = TreeGlob(watchPath: config.watchPath)
        self.ignore = TreeIgnore(config.tree.ignore)
        self.reader = TreeFileReader(root: glob.root, format: config.format, hash: config.tree.hash, maxSize: config.maxSize, transform: config.transform)
    }

    /// Looks at the batch's keys and publishes what changed; `done` gets the keys to look at again
    /// once writes settle (files that never held still while read).
    func process(_ batch: TreeBatch, jobs: Int, executor: Executor, done: @escaping @Sendable ([String]) -> Void) {
        for _ in 0..<jobs {
            executor(batch.keys.count >= Self.bigBatch) { [self] in
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileHasher.bufferSize, alignment: 64)
                defer { buffer.deallocate() }
                var looks: [(index: Int, look: TreeLook)] = []
                while let index = batch.take() {
                    let (key, reason) = batch.keys[index]
                    let (look, bytes) = reader.look(key, reason: reason, buffer: buffer, known: known)
                    looks.append((index, look))
                    if batch.keys.count >= Self.loggedBatch { progress(batch, bytes: bytes) }
                }
                guard let all = batch.finish(looks) else { return }
                done(apply(all, of: batch))
            }
        }
    }

    /// The value of an entry read with this identity, if any (read-only during looks).
    private func known(_ identity: FileIdentity) -> JSONValue? {
        keysByIdentity[identity].flatMap { entries[ScalarString($0)]?.value }
    }

    private func progress(_ batch: TreeBatch, bytes: Int) {
        let files = batch.filesDone.wrappingAdd(1, ordering: .relaxed).newValue
        let total = batch.bytesDone.wrappingAdd(bytes, ordering: .relaxed).newValue
        let now = ContinuousClock.now
        let due = batch.lastProgress.withLock { last in
            guard last.duration(to: now) >= Self.progressInterval else { return false }
            last = now
            return true
        }
        guard due else { return }
        logger.info("scanning the tree", metadata: [
            "watch.path": "\(config.watch)", "scan.files": "\(files)", "scan.total": "\(batch.keys.count)",
            "scan.bytes": "\(total)", "scan.elapsed": "\(batch.started.duration(to: now))",
        ])
    }

    /// Applies the looks of a batch to the entries and publishes the change; returns the keys to
    /// look at again.
    private func apply(_ looks: [(index: Int, look: TreeLook)], of batch: TreeBatch) -> [String] {
        var unsettled: [String] = []
        var changes: [TreeDelta.Change] = []
        for (index, look) in looks {
            let key = batch.keys[index].key
            switch look {
            case .retry:
                unsettled.append(key)
            case .absent:
                guard let old = entries.removeValue(forKey: ScalarString(key)) else { continue }
                forget(old.identity, key)
                changes.append(TreeDelta.Change(key: key, old: old.value, new: nil))
            case .entry(let value, let identity, let settled), .writing(let value, let identity, let settled):
                let old = entries[ScalarString(key)]
                if let old { forget(old.identity, key) }
                entries[ScalarString(key)] = Entry(value: value, identity: identity)
                // A writing marker is no reading of the content: an unchanged file is read again.
                if case .entry = look { keysByIdentity[identity] = key }
                if old?.value != value { changes.append(TreeDelta.Change(key: key, old: old?.value, new: value)) }
                if !settled { unsettled.append(key) }
            }
        }
        changes.sort { $0.key.scalarsPrecede($1.key) }
        if batch.keys.count >= Self.loggedBatch {
            logger.info("tree scanned", metadata: [
                "watch.path": "\(config.watch)", "scan.files": "\(batch.keys.count)", "tree.entries": "\(entries.count)",
                "scan.bytes": "\(batch.bytesDone.load(ordering: .relaxed))", "scan.elapsed": "\(batch.started.duration(to: .now))",
            ])
        }
        publish(TreeDelta(changes: changes), noticed: batch.started)
        return unsettled
    }

    private func forget(_ identity: FileIdentity, _ key: String) {
        if keysByIdentity[identity]?.hasSameScalars(as: key) == true { keysByIdentity[identity] = nil }
    }

    /// Turns a delta into versions: a new document (as a patch when a client has its base), or an
    /// `invalid` when the tree has more than `max_files` files (the last good manifest stays). A
    /// folder that cannot be watched is no failure: the tree is polled instead (``TreeSource``).
    private func publish(_ delta: TreeDelta, noticed: ContinuousClock.Instant? = nil) {
        var published: [StreamState<TreeRevision>.Change] = []
        if entries.count > config.tree.maxFiles {
            published += state.failed(DocumentError(
                line: nil, column: nil,
                message: "the tree holds more than max_files (\(config.tree.maxFiles)) files; the last manifest within the limit stays published"))
        } else if !delta.isEmpty || state.published == .unknown || state.invalid != nil {
            revisions += 1
            if let change = state.document(TreeRevision(number: revisions), differs: true) { published.append(change) }
        }
        guard !published.isEmpty else { return }
        var later: EventID?
        hub.publish(published.map { change in
            switch change {
            case .changed(let version, _, let base):
                let id = EventID(run: run, version: version)
                if base != nil, let event = deltaEvent(delta, id: id) {
                    later = id
                    return .version(encode(event), state: nil)
                }
                let whole = encode(.changed(id: id, document: serialize(wholeValue())))
                return .version(whole, state: whole)
            case .removed(let version):
                let removed = encode(.removed(id: EventID(run: run, version: version), watch: config.watch))
                return .version(removed, state: removed)
            case .invalid(let error):
                logger.warning("tree stream is invalid", metadata: ["watch.path": "\(config.watch)", "error": "\(error.message)"])
                return .invalid(encode(.invalid(error)))
            }
        }, noticed: noticed)
        // The patch went out first; the whole document, which clients that join need, comes after.
        if let id = later {
            hub.settle(encode(.changed(id: id, document: serialize(wholeValue()))))
        }
    }

    /// The `patch` or `merge-patch` for a delta, or nil when it goes whole (`emit: snapshot`, a
    /// merge patch that cannot say it, or more than `patch_ratio` times the last whole document).
    private func deltaEvent(_ delta: TreeDelta, id: EventID) -> SSEEvent? {
        let data: [UInt8]
        switch config.emit {
        case .snapshot: return nil
        case .patch: data = JSONPatch.serialize(delta.jsonPatch(format: config.format, arrayKey: config.arrayKey))
        case .mergePatch:
            guard let patch = delta.mergePatch() else { return nil }
            data = JSONSerializer.serialize(patch)
        }
        guard Double(data.count) <= config.patchRatio * Double(wholeSize) else { return nil }
        return config.emit == .patch ? .patch(id: id, operations: data) : .mergePatch(id: id, patch: data)
    }

    /// The document: one object, keys sorted by their bytes (as `LC_ALL=C sort`), so it reads the
    /// same across runs, scans and locales.
    private func wholeValue() -> JSONValue {
        let keys = entries.keys.sorted()
        return .object(JSONObject(uniqueKeys: keys.map(\.string), values: keys.map { entries[$0]!.value }))
    }

    private func serialize(_ document: JSONValue) -> [UInt8] {
        let bytes = JSONSerializer.serialize(document, sizeHint: wholeSize)
        wholeSize = bytes.count
        return bytes
    }
}

/// One version of a tree, as ``StreamState`` counts them: the entries are the document.
struct TreeRevision: Sendable, Equatable {
    let number: UInt64
}

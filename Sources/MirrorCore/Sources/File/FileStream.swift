import Logging
import MirrorDocument

/// One configured stream on its way through the pipeline: a file's reading → document → state →
/// event → hub.
///
/// The watcher hands it one reading at a time (one read per file in flight, on a worker), so its
/// state needs no lock: each reading begins after the last one ended.
final class FileStream: SourceStream, @unchecked Sendable {
    let basis: StreamBasis
    private var state = StreamState<Document>()
    /// The size of the file last read, or of its transformed document, which a patch is weighed
    /// against (`patch_ratio`).
    private var fileSize = 0
    /// The delta computed for the change being published.
    private var pendingDelta: Delta?

    /// What a change sends on a patch stream.
    private enum Delta {
        /// Nothing: the documents are equal (the patch is empty).
        case unchanged
        /// The whole document, as `changed`.
        case whole
        /// The data of a `patch` or `merge-patch` event.
        case patch([UInt8])
    }

    init(_ basis: StreamBasis) {
        self.basis = basis
    }

    /// Takes one reading of the file. A first look that finds it missing or unparsable may be a
    /// write in progress: it is not published but asked to be read again once writes settle. A
    /// text document always parses, so for `format: text` a first look during a write (IN_MODIFY
    /// with no close yet) is not taken either; the watcher reads it again once the writer closes
    /// or goes idle.
    func ingest(_ result: Result<FileContent, FileReadError>, read: FileWatcher.Reading) -> ReadVerdict {
        let settled = read.attempt > 0
        if config.format == .text && !settled && read.writerOpen { return .notSettled }
        let changes: [StreamState<Document>.Change]
        // The document this reading replaces is freed only after the event is out: tearing down
        // a 50 MB tree takes a while, and no client should wait for it.
        let replaced = state.published
        defer { withExtendedLifetime(replaced) {} }
        switch result {
        case .success(let content):
            do {
                // Transformed before anything else sees it: the diff, the state and every event
                // know only the published form, so a redacted value cannot leave the process.
                let read = try DocumentReader.read(content.bytes, format: config.format)
                let document = Document(try config.transform.apply(to: read))
                fileSize = config.transform.isEmpty ? content.bytes.count : document.value.serializedSizeEstimate
                if config.emit != .snapshot, let base = state.base {
                    // The diff is the comparison: no patch, no new version.
                    let delta = self.delta(from: base, to: document)
                    if case .unchanged = delta { return .done }
                    pendingDelta = delta
                    changes = state.document(document, differs: true).map { [$0] } ?? []
                } else {
                    changes = state.document(document).map { [$0] } ?? []
                }
            } catch {
                guard settled else { return .notSettled }
                logger.warning("document is invalid; the last good version stays published", metadata: ["error": "\(error)"])
                changes = state.failed(error)
            }
        case .failure(let error) where error.isMissing:
            guard settled else { return .notSettled }
            changes = state.missing().map { [$0] } ?? []
        case .failure(let error):
            guard settled else { return .notSettled }
            logger.warning("cannot read the watched file", metadata: ["watch.path": "\(config.watch)", "error": "\(error)"])
            let reason = error.description(watch: config.watch, watchPath: config.watchPath)
            changes = state.failed(DocumentError(line: nil, column: nil, message: "cannot read the file: \(reason)"))
        }
        if !changes.isEmpty { publish(changes, noticed: read.noticed) }
        return .done
    }

    /// Encodes the changes of one reading and publishes them together, so that no subscriber sees
    /// one without the other (a `removed` and the `invalid` that explains it).
    ///
    /// A patch goes out before the whole document it leads to is encoded: for a big document that
    /// encoding is most of the work, and no client that follows the stream needs it. The hub
    /// takes it afterwards, for clients that join.
    private func publish(_ changes: [StreamState<Document>.Change], noticed: ContinuousClock.Instant?) {
        var later: (EventID, Document)?
        hub.publish(changes.map { change in
            let (publication, settle) = self.publication(change)
            if let settle { later = settle }
            return publication
        }, noticed: noticed)
        if let (id, document) = later {
            hub.settle(encode(.changed(id: id, document: JSONSerializer.serialize(document.value, sizeHint: fileSize))))
        }
    }

    /// The publication for a change, and for a delta the version whose whole state is still to encode.
    private func publication(_ change: StreamState<Document>.Change) -> (StreamHub.Publication, (EventID, Document)?) {
        switch change {
        case .changed(let version, let document, let base):
            let id = EventID(run: run, version: version)
            let computed = pendingDelta
            pendingDelta = nil
            guard base != nil, case .patch(let data) = computed else {
                let whole = encode(.changed(id: id, document: JSONSerializer.serialize(document.value, sizeHint: fileSize)))
                return (.version(whole, state: whole), nil)
            }
            let delta: SSEEvent = config.emit == .patch ? .patch(id: id, operations: data) : .mergePatch(id: id, patch: data)
            return (.version(encode(delta), state: nil), (id, document))
        case .removed(let version):
            let removed = encode(.removed(id: EventID(run: run, version: version), watch: config.watch))
            return (.version(removed, state: removed), nil)
        case .invalid(let error):
            return (.invalid(encode(.invalid(error))), nil)
        }
    }

    /// What a change sends: the whole document when a merge patch cannot say it, or when the patch
    /// is larger than `patch_ratio` times the document (weighed by the file's size, which is known
    /// without serializing the document).
    private func delta(from base: Document, to document: Document) -> Delta {
        let data: [UInt8]
        switch config.emit {
        case .snapshot:
            return .whole
        case .patch:
            let operations = JSONPatch.diff(from: base.value, to: document.value, arrayKey: config.arrayKey)
            if operations.isEmpty { return .unchanged }
            data = JSONPatch.serialize(operations)
        case .mergePatch:
            // A merge patch for a document that is not an object is the document itself (RFC 7396
            // §2), which says nothing about equality: compare first.
            if base == document { return .unchanged }
            guard let patch = JSONMergePatch.diff(from: base.value, to: document.value) else { return .whole }
            if patch == [:] { return .unchanged }
            data = JSONSerializer.serialize(patch)
        }
        return Double(data.count) <= config.patchRatio * Double(fileSize) ? .patch(data) : .whole
    }
}

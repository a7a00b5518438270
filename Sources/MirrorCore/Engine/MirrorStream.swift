import Logging

/// One configured stream on its way through the pipeline: a file's reading → document → state →
/// event → hub.
///
/// The watcher hands it one reading at a time (one read per file in flight, on a worker), so its
/// state needs no lock: each reading begins after the last one ended.
final class MirrorStream: @unchecked Sendable {
    let config: StreamConfig
    let hub: StreamHub
    private var state = StreamState<Document>()
    private let run: String
    private let encoder: SSEEncoder
    private let logger: Logger

    init(config: StreamConfig, run: String, encoder: SSEEncoder, logger: Logger) {
        self.config = config
        self.hub = StreamHub(path: config.path, history: config.history)
        self.run = run
        self.encoder = encoder
        var logger = logger
        logger[metadataKey: "stream.path"] = "\(config.path)"
        self.logger = logger
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
        switch result {
        case .success(let content):
            do {
                let value = try DocumentReader.read(content.bytes, format: config.format)
                changes = state.document(Document(value)).map { [$0] } ?? []
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
        if !changes.isEmpty { publish(changes) }
        return .done
    }

    /// Encodes the changes of one reading and publishes them together, so that no subscriber sees
    /// one without the other (a `removed` and the `invalid` that explains it).
    private func publish(_ changes: [StreamState<Document>.Change]) {
        hub.publish(changes.map(publication))
    }

    private func publication(_ change: StreamState<Document>.Change) -> StreamHub.Publication {
        switch change {
        case .changed(let version, let document, let base):
            let id = EventID(run: run, version: version)
            let whole = encode(.changed(id: id, document: document.text))
            guard let base, let delta = delta(from: base, to: document, id: id) else {
                return .version(whole, state: whole)
            }
            return .version(encode(delta), state: whole)
        case .removed(let version):
            let removed = encode(.removed(id: EventID(run: run, version: version), watch: config.watch))
            return .version(removed, state: removed)
        case .invalid(let error):
            return .invalid(encode(.invalid(error)))
        }
    }

    /// The `patch` or `merge-patch` event for a change, or nil when the whole document should go
    /// instead: on a snapshot stream, when the patch says nothing a client could apply (only the
    /// key order changed), or when it is larger than `patch_ratio` times the document.
    private func delta(from base: Document, to document: Document, id: EventID) -> SSEEvent? {
        let event: SSEEvent
        switch config.emit {
        case .snapshot:
            return nil
        case .patch:
            let operations = JSONPatch.diff(from: base.value, to: document.value, arrayKey: config.arrayKey)
            guard !operations.isEmpty else { return nil }
            event = .patch(id: id, operations: JSONPatch.serialize(operations))
        case .mergePatch:
            guard let patch = JSONMergePatch.diff(from: base.value, to: document.value), patch != [:] else { return nil }
            event = .mergePatch(id: id, patch: JSONSerializer.serialize(patch))
        }
        guard Double(event.data.count) <= config.patchRatio * Double(document.text.count) else { return nil }
        return event
    }

    private func encode(_ event: SSEEvent) -> EncodedEvent {
        logger.debug("publishing", metadata: ["event": "\(event.name)", "event.id": "\(event.id?.description ?? "")"])
        return encoder.encode(event, sequence: hub.nextSequence())
    }
}

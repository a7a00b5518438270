import Logging

/// One configured stream on its way through the pipeline: a file's reading → document → state → event → hub.
///
/// The watcher hands it one reading at a time (one read per file in flight, on a worker), so its
/// state needs no lock: each reading begins after the last one ended.
final class MirrorStream: @unchecked Sendable {
    let config: StreamConfig
    let hub: StreamHub
    private var state = StreamState<[UInt8]>()
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
    /// write in progress: it is not published but asked to be read again once writes settle.
    func ingest(_ result: Result<FileContent, FileReadError>, read: FileWatcher.Reading) -> ReadVerdict {
        let settled = read.attempt > 0
        let changes: [StreamState<[UInt8]>.Change]
        switch result {
        case .success(let content):
            do {
                let document = try DocumentDecoder.decode(content.bytes, format: config.format)
                changes = state.document(document).map { [$0] } ?? []
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
    private func publish(_ changes: [StreamState<[UInt8]>.Change]) {
        hub.publish(changes.map(publication))
    }

    private func publication(_ change: StreamState<[UInt8]>.Change) -> StreamHub.Publication {
        let event: SSEEvent
        switch change {
        case .changed(let version, let document, _):
            event = .changed(id: EventID(run: run, version: version), document: document)
        case .removed(let version):
            event = .removed(id: EventID(run: run, version: version), watch: config.watch)
        case .invalid(let error):
            event = .invalid(error)
        }
        logger.debug("publishing", metadata: ["event": "\(event.name)", "event.id": "\(event.id?.description ?? "")"])
        let encoded = encoder.encode(event, sequence: hub.nextSequence())
        return event.role == .notice ? .invalid(encoded) : .version(encoded, state: encoded)
    }
}

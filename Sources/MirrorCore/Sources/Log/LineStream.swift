import Logging
import Synchronization
import MirrorDocument

/// One line stream (`format: lines`) on its way to the hub: lines → filter → JSON → `appended`
/// events, with the last `tail` lines kept as the stream's state.
///
/// The state a client holds is the last N lines; an `appended` moves it on. So each `appended`
/// goes out as a delta (it has an id, and the history replays it to a client resuming from the
/// version before), and the whole state at its id follows through ``StreamHub/settle(_:)``, exactly
/// as ``FileStream`` publishes a patch: a late joiner gets `changed` with the last N lines at the
/// current id and then follows. A `truncated` is a delta too: what a client holds stays valid.
///
/// Driven by the ``LineSource`` thread only, so its state needs no lock; the loss counters are
/// atomics, for a metric to read from elsewhere.
final class LineStream: SourceStream, @unchecked Sendable {
    let basis: StreamBasis
    private var version: UInt64 = 0
    /// The size of the last whole state encoded, and of the `appended` events sent since.
    private var stateBytes = 0
    private var unsettledBytes = 0
    /// Below this much sent since the last state, the state is not encoded again (unless caught up).
    static let settleBytes = 64 << 10
    private var tail: TailLines
    private var batch = LineBatch()
    /// The state published is a binary file's metadata, not lines.
    private var showingBinary = false
    /// The `invalid` message in force, so the same problem is not told twice.
    private var invalidMessage: String?
    /// Bytes a truncation took before they could be read, and lines known to be lost or cut short
    /// by it, since the start: for the log and, later, a metric.
    let lostBytes = Atomic<Int64>(0)
    let lostLines = Atomic<Int>(0)

    /// Whether `grep` or `exclude` choose the lines (most logs are followed whole).
    private let filtered: Bool

    /// An `appended` event is sent once its lines pass this many bytes, so every event is bounded.
    static let maximumEventBytes = 1 << 20

    /// When the source began the read whose lines are being taken, for the change-to-event
    /// histogram; the first `appended` after it reports it (set by ``LineSource``).
    var readStarted: ContinuousClock.Instant?

    init(_ basis: StreamBasis) {
        self.basis = basis
        let config = basis.config
        self.tail = TailLines(capacity: config.lines.tail)
        self.filtered = !config.lines.grep.isEmpty || !config.lines.exclude.isEmpty
    }

    /// Takes one complete line; it goes out with the next ``flush()`` if the filters let it pass.
    func take(_ line: UnsafeRawBufferPointer) {
        take { $0(line) }
    }

    /// Takes every line `lines` hands on, as ``take(_:)`` does one. The batch is moved out of the
    /// object for the whole run, so adding a line is a local array append: a log's millions of
    /// lines a second pay no exclusivity check or reference count on the way.
    func take(_ lines: ((UnsafeRawBufferPointer) -> Void) -> Void) {
        var batch = LineBatch()
        swap(&batch, &self.batch)
        lines { line in
            guard !filtered || config.lines.passes(line) else { return }
            batch.append { output in encodeLine(line, into: &output) }
            if batch.bytes.count >= Self.maximumEventBytes { publish(&batch) }
        }
        swap(&batch, &self.batch)
    }

    /// Takes a read's complete lines (LF-ended, no CR) in one pass, when nothing chooses or
    /// parses lines; false, with nothing taken, when it cannot (then the lines go one by one
    /// through the splitter, which cuts what is longer than `maxLine`).
    func takeWhole(_ region: UnsafeRawBufferPointer, maxLine: Int) -> Bool {
        guard !filtered, !config.lines.parseJSON else { return false }
        var batch = LineBatch()
        swap(&batch, &self.batch)
        defer { swap(&batch, &self.batch) }
        guard batch.appendLines(region, maxLine: maxLine) else { return false }
        if batch.bytes.count >= Self.maximumEventBytes { publish(&batch) }
        return true
    }

    /// Publishes the lines taken since the last flush as one `appended`. `caughtUp`: the log has
    /// nothing more to read now, so the state joins the newest version (see ``publish(_:)``).
    func flush(caughtUp: Bool = true) {
        publish(&batch)
        if caughtUp && unsettledBytes > 0 { settle(EventID(run: run, version: version)) }
    }

    /// Publishes an `appended`. The whole state (the last `tail` lines) is encoded again only once
    /// the events since the last one weigh as much as it does, or the log is caught up: a stream
    /// keeping 100,000 lines would otherwise encode 10 MB for every megabyte it sends. Meanwhile
    /// a client that joins gets the last state and the `appended` events after it, which the
    /// history keeps (it never drops events newer than its state).
    private func publish(_ batch: inout LineBatch) {
        guard !batch.isEmpty else { return }
        let lines = batch
        batch = LineBatch(capacity: min(lines.bytes.count, Self.maximumEventBytes) + 256)
        leaveBinary()
        invalidMessage = nil
        let id = nextID()
        tail.append(lines)
        let appended = encode(.appended(id: id, lines: lines.takeArray()))
        hub.publish([.version(appended, state: nil)], noticed: readStarted)
        readStarted = nil
        unsettledBytes += appended.chunked.readableBytes
        if unsettledBytes >= max(stateBytes, Self.settleBytes) { settle(id) }
    }

    /// The first state: the last lines of the file (none for a file that is missing or empty).
    func start(with lines: LineBatch) {
        tail.append(lines)
        let id = nextID()
        let whole = encode(.changed(id: id, document: tail.array()))
        stateBytes = whole.chunked.readableBytes
        hub.publish([.version(whole, state: whole)])
    }

    /// The file shrank to `size`; `lost` bytes were never read, `fragment` bytes of a line were held.
    func truncated(size: Int64, lost: Int64, fragment: Int) {
        flush()
        let lines = (lost > 0 || fragment > 0) ? 1 : 0
        if lost > 0 || fragment > 0 {
            let bytes = lostBytes.add(lost + Int64(fragment), ordering: .relaxed).newValue
            let count = lostLines.add(lines, ordering: .relaxed).newValue
            logger.warning(
                "log truncated with unread bytes; they are lost",
                metadata: ["watch.path": "\(config.watch)", "lost.bytes": "\(lost + Int64(fragment))", "lines.lost": "\(count)", "lines.lost.bytes": "\(bytes)"]
            )
        } else {
            logger.info("log truncated; reading from its start", metadata: ["watch.path": "\(config.watch)", "size": "\(size)"])
        }
        let id = nextID()
        hub.publish([.version(encode(.truncated(id: id, watch: config.watch, size: size)), state: nil)])
        settle(id)
    }

    /// The log is binary: its metadata is the state, never its bytes as text.
    func binary(size: Int64, sha256: String?) {
        flush()
        var metadata: JSONValue = ["binary": true, "size": .number(JSONNumber(Int(size)))]
        if let sha256, case .object(var object) = metadata {
            object["sha256"] = .string(sha256)
            metadata = .object(object)
        }
        showingBinary = true
        tail.removeAll()
        let id = nextID()
        let whole = encode(.changed(id: id, document: JSONSerializer.serialize(metadata)))
        hub.publish([.version(whole, state: whole)])
    }

    /// The file cannot be followed (a refused symlink, not a regular file); told once per reason.
    func invalid(_ message: String) {
        guard invalidMessage != message else { return }
        invalidMessage = message
        logger.warning("cannot follow the log", metadata: ["watch.path": "\(config.watch)", "error": "\(message)"])
        hub.publish([.invalid(encode(.invalid(DocumentError(line: nil, column: nil, message: "cannot read the file: \(message)"))))])
    }

    /// After binary content, text again (a truncation or a rotation brought a text file): the
    /// state starts over as no lines, and lines follow as `appended`.
    private func leaveBinary() {
        guard showingBinary else { return }
        showingBinary = false
        let id = nextID()
        let whole = encode(.changed(id: id, document: tail.array()))
        hub.publish([.version(whole, state: whole)])
    }

    private func settle(_ id: EventID) {
        invalidMessage = nil
        let state = encode(.changed(id: id, document: tail.array()))
        stateBytes = state.chunked.readableBytes
        unsettledBytes = 0
        hub.settle(state)
    }

    private func nextID() -> EventID {
        version += 1
        return EventID(run: run, version: version)
    }

    /// Writes a line as an element of an `appended` array: the JSON value it holds with `parse:
    /// json` (a line that does not parse stays a string), else a JSON string.
    ///
    /// With `transform` rules, each parsed line passes through them; a line that does not parse,
    /// or that a rule cannot apply to (a `select` it lacks), is published as
    /// ``LineStream/withheldLine`` instead: the rules cannot see into it, and it may hold what a
    /// `redact` is there to keep in.
    func encodeLine(_ line: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard config.lines.parseJSON else {
            LineJSON.appendString(line, to: &output)
            return
        }
        let parsed = try? JSONParser.parse(line.assumingMemoryBound(to: UInt8.self))
        if config.transform.isEmpty {
            guard let parsed else { return LineJSON.appendString(line, to: &output) }
            return output.append(contentsOf: JSONSerializer.serialize(parsed))
        }
        if let parsed, let published = try? config.transform.apply(to: parsed) {
            output.append(contentsOf: JSONSerializer.serialize(published))
        } else {
            output.append(contentsOf: JSONSerializer.serialize(.string(Self.withheldLine)))
        }
    }

    /// What a line stream with `transform` rules publishes for a line the rules cannot apply to.
    static let withheldLine = "[withheld: not JSON the transform applies to]"

    /// Not logged, unlike other kinds' events: a log's lines go out a million a second.
    private func encode(_ event: SSEEvent) -> EncodedEvent {
        basis.encoder.encode(event, sequence: hub.nextSequence())
    }
}

import Glibc
import Logging
@testable import MirrorCore
import NIOCore
import Testing
import MirrorDocument

/// A stream's transform in the engine: each reading is transformed before it is compared, so the
/// versions, patches and `invalid` events are those of the published form.
@Suite("transform in a stream")
struct TransformIngestTests {
    func stream(_ rules: [TransformRule], emit: EmitMode = .patch) -> FileStream {
        var config = StreamConfig(path: "/config", watch: "app.json", watchPath: "/srv/app.json", format: .json, emit: emit)
        config.transform = Transform(rules)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return FileStream(StreamBasis(config: config, run: "run", encoder: SSEEncoder(), logger: logger))
    }

    /// One settled reading of `text`, as the watcher hands it over.
    @discardableResult
    func ingest(_ text: String, into stream: FileStream) -> ReadVerdict {
        let content = FileContent(bytes: Array(text.utf8), identity: FileIdentity(stat()))
        return stream.ingest(.success(content), read: FileWatcher.Reading(attempt: 1))
    }

    func current(_ stream: FileStream) -> (name: String?, version: UInt64?, data: String?, invalid: String?) {
        let (state, invalid) = stream.hub.current()
        return (state?.name, state?.id?.version, state.map { String(buffer: $0.data) }, invalid.map { String(buffer: $0.data) })
    }

    @Test(arguments: [EmitMode.snapshot, .patch, .mergePatch])
    func aChangeOnlyInAnOmittedOrRedactedPartIsNoNewVersion(emit: EmitMode) throws {
        let stream = stream([.omit([try PathPattern("/internal")]), .redact([try PathPattern("**.token")])], emit: emit)
        ingest(#"{"a":1,"internal":{"build":1},"token":"t1"}"#, into: stream)
        #expect(current(stream).version == 1)
        #expect(current(stream).data == #"{"a":1,"token":"[redacted]"}"#)
        ingest(#"{"a":1,"internal":{"build":2},"token":"t2"}"#, into: stream)
        ingest(#"{"token":"t3","a":1}"#, into: stream)
        #expect(current(stream).version == 1)
        ingest(#"{"a":2,"internal":{"build":3},"token":"t4"}"#, into: stream)
        #expect(current(stream).version == 2)
        #expect(current(stream).data == #"{"a":2,"token":"[redacted]"}"#)
    }

    /// A version without the selected subtree is `invalid` (no line, no column) and the last good
    /// one stays published; the next good one is a new version.
    @Test func aMissingSelectIsInvalidAndTheLastGoodVersionStays() throws {
        let stream = stream([.select(try JSONPointer("/features"))])
        ingest(#"{"features":{"x":1},"other":1}"#, into: stream)
        #expect(current(stream).data == #"{"x":1}"#)
        ingest(#"{"other":2}"#, into: stream)
        #expect(current(stream).version == 1 && current(stream).data == #"{"x":1}"#)
        #expect(current(stream).invalid == #"{"line":null,"column":null,"message":"transform select: /features is not in the document"}"#)
        ingest(#"{"features":{"x":1}}"#, into: stream)
        #expect(current(stream).version == 2 && current(stream).invalid == nil)
    }

    /// `patch_ratio` weighs a patch against the transformed document, whose size is estimated
    /// from the tree rather than serialized: exact when nothing needs escaping.
    @Test(arguments: [
        "null", "true", "false", "1.50e3", #""plain""#, "[]", "{}", #"[1,"a",{"b":[null]}]"#,
        #"{"name":"checkout","nested":{"a":[1,2,{"c":false}],"b":"é"}}"#,
    ])
    func sizeEstimateIsTheSerializedSizeWhenNothingNeedsEscaping(text: String) throws {
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value.serializedSizeEstimate == JSONSerializer.serialize(value).count)
    }
}

import MirrorCore
import NIOCore
import Testing
import MirrorDocument

@Suite("SSE encoding")
struct SSEEncoderTests {
    let encoder = SSEEncoder()

    @Test func changedEventIsFramedOnceAsAChunk() {
        let event = SSEEvent.changed(id: EventID(run: "abc", version: 7), document: Array(#"{"a":1}"#.utf8))
        let encoded = encoder.encode(event, sequence: 3)
        let body = "event: changed\nid: abc-7\ndata: {\"a\":1}\n\n"
        #expect(String(buffer: encoded.payload) == body)
        #expect(String(buffer: encoded.chunked) == String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n")
        #expect(encoded.sequence == 3)
        #expect(String(buffer: encoded.data) == #"{"a":1}"#)
        #expect(encoded.name == "changed" && encoded.id == EventID(run: "abc", version: 7) && encoded.role == .state)
    }

    /// Every line of a payload gets its own `data: ` field, whatever the line end (WHATWG §9.2.5).
    @Test func multiLinePayloadsSplitOnCRLFAndCRAndLF() {
        let event = SSEEvent(name: "x", id: nil, data: Array("one\r\ntwo\rthree\nfour".utf8), role: .notice)
        #expect(String(buffer: encoder.encode(event, sequence: 1).payload)
            == "event: x\ndata: one\ndata: two\ndata: three\ndata: four\n\n")
    }

    @Test func invalidCarriesPlaceAndMessageOnly() {
        let event = SSEEvent.invalid(DocumentError(line: 3, column: 9, message: "expected \"x\""))
        #expect(event.id == nil)
        #expect(String(decoding: event.data, as: UTF8.self) == #"{"line":3,"column":9,"message":"expected \"x\""}"#)
        let unreadable = SSEEvent.invalid(DocumentError(line: nil, column: nil, message: "no access"))
        #expect(String(decoding: unreadable.data, as: UTF8.self) == #"{"line":null,"column":null,"message":"no access"}"#)
    }

    @Test func removedNamesTheWatchedPath() {
        let event = SSEEvent.removed(id: EventID(run: "r", version: 2), watch: "data/\"odd\".json")
        #expect(String(decoding: event.data, as: UTF8.self) == #"{"path":"data/\"odd\".json"}"#)
    }

    @Test func retryAndComments() {
        #expect(String(buffer: encoder.encodeRetry(milliseconds: 2000).payload) == "retry: 2000\n\n")
        #expect(String(buffer: encoder.encodeComment("heartbeat").payload) == ": heartbeat\n\n")
    }
}

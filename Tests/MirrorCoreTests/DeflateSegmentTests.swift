import Foundation
import MirrorCore
import MirrorTestSupport
import Testing

/// Events compressed once each, as self-contained deflate segments, read back by real gzip
/// readers: gzip(1) for a whole member (it checks the trailer's CRC-32 and length), Python's zlib
/// for a stream cut anywhere between events (what a browser holds mid-stream).
@Suite("deflate segments", .timeLimit(.minutes(2)))
struct DeflateSegmentTests {
    /// Event-shaped texts: a 64 KB document, small patches, a heartbeat, an empty data.
    static let events: [[UInt8]] = [
        Array("event: changed\nid: 1\ndata: {\"seq\":1,\"pad\":\"\(String(repeating: "x", count: 65_000))\"}\n\n".utf8),
        Array("event: patch\nid: 2\ndata: [{\"op\":\"replace\",\"path\":\"/seq\",\"value\":2}]\n\n".utf8),
        Array(":\n\n".utf8),
        Array("event: patch\nid: 3\ndata: [{\"op\":\"replace\",\"path\":\"/seq\",\"value\":3}]\n\n".utf8),
        [],
        Array("event: changed\nid: 4\ndata: {\"é\":\"\u{2028}\",\"n\":1e400}\n\n".utf8),
    ]

    @Test func aWholeMemberIsWhatGzipReads() throws {
        var body = GzipFraming.header
        var tally = GzipTally()
        for event in Self.events {
            let segment = DeflateSegment(compressing: event)
            body += segment.bytes
            tally.add(segment)
        }
        body += GzipFraming.end(of: tally)
        #expect(try Self.run(["gzip", "-dc"], input: body) == Self.events.flatMap { $0 })
        #expect(tally.size == Self.events.map(\.count).reduce(0, +))
    }

    /// A client that joins later gets later segments first: each one stands alone.
    @Test func everySegmentStandsAlone() throws {
        for event in Self.events {
            let segment = DeflateSegment(compressing: event)
            var tally = GzipTally()
            tally.add(segment)
            let member = GzipFraming.header + segment.bytes + GzipFraming.end(of: tally)
            #expect(try Self.run(["gzip", "-dc"], input: member) == event)
        }
    }

    /// Cut after any segment, a stream inflates to every event so far: nothing waits for the next.
    @Test func aStreamCutAfterAnyEventHasEveryEventSoFar() throws {
        var body = GzipFraming.header
        var expected: [UInt8] = []
        for event in Self.events {
            body += DeflateSegment(compressing: event).bytes
            expected += event
            let script = "import sys, zlib; d = zlib.decompressobj(31); sys.stdout.buffer.write(d.decompress(sys.stdin.buffer.read()))"
            #expect(try Self.run(["python3", "-c", script], input: body) == expected)
        }
    }

    /// A document compresses; a 90-byte patch is stored, a few bytes over, never much more.
    @Test func sizes() {
        let document = DeflateSegment(compressing: Self.events[0])
        #expect(document.bytes.count < Self.events[0].count / 20, "\(document.bytes.count)")
        let patch = DeflateSegment(compressing: Self.events[1])
        #expect(patch.bytes.count <= Self.events[1].count + 16, "\(patch.bytes.count)")
        #expect(Array(patch.bytes.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF], "a segment ends with the sync flush's empty stored block")
    }

    static func run(_ command: [String], input: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let writer = Thread { stdin.fileHandleForWriting.write(Data(input)); try? stdin.fileHandleForWriting.close() }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(command)")
        return Array(output)
    }
}

import MirrorCore
import Testing

@Suite("inotify buffer parsing")
struct InotifyEventTests {
    /// Builds the kernel's layout: four 32-bit fields, then `len` bytes of NUL-padded name.
    func record(wd: Int32, mask: UInt32, cookie: UInt32, name: String, padTo length: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: wd) { bytes += $0 }
        withUnsafeBytes(of: mask) { bytes += $0 }
        withUnsafeBytes(of: cookie) { bytes += $0 }
        withUnsafeBytes(of: UInt32(length)) { bytes += $0 }
        bytes += Array(name.utf8) + Array(repeating: 0, count: length - name.utf8.count)
        return bytes
    }

    @Test func parsesPaddedNamesAndNamelessEvents() {
        let buffer = record(wd: 1, mask: 0x8, cookie: 0, name: "app.json", padTo: 16)
            + record(wd: 2, mask: 0x400, cookie: 0, name: "", padTo: 0)
            + record(wd: 1, mask: 0x80, cookie: 77, name: "..data", padTo: 16)
        let events = buffer.withUnsafeBytes { InotifyEvent.parse($0) }
        #expect(events == [
            InotifyEvent(watch: 1, mask: 0x8, cookie: 0, name: "app.json"),
            InotifyEvent(watch: 2, mask: 0x400, cookie: 0, name: ""),
            InotifyEvent(watch: 1, mask: 0x80, cookie: 77, name: "..data"),
        ])
    }

    @Test func stopsAtATruncatedRecord() {
        let buffer = record(wd: 1, mask: 0x8, cookie: 0, name: "a", padTo: 16)
        let events = buffer.dropLast(4).withUnsafeBytes { InotifyEvent.parse($0) }
        #expect(events.isEmpty)
    }
}

/// One `struct inotify_event` (inotify(7)), parsed by hand: its `name` is a flexible array
/// member, which Swift does not import, so the buffer is read field by field.
public struct InotifyEvent: Sendable, Equatable {
    public var watch: Int32
    public var mask: UInt32
    public var cookie: UInt32
    /// The name within the watched directory; empty for events about the directory itself.
    public var name: String

    /// `wd`, `mask`, `cookie`, `len`: four 32-bit fields before the name.
    static let headerSize = 16

    public init(watch: Int32, mask: UInt32, cookie: UInt32, name: String) {
        self.watch = watch
        self.mask = mask
        self.cookie = cookie
        self.name = name
    }

    /// Parses every complete event in `buffer`. The kernel pads `name` with NULs to `len` bytes.
    public static func parse(_ buffer: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var offset = 0
        while offset + headerSize <= buffer.count {
            let watch = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            guard nameStart + length <= buffer.count else { break }
            let nameBytes = buffer[nameStart..<nameStart + length].prefix(while: { $0 != 0 })
            events.append(InotifyEvent(watch: watch, mask: mask, cookie: cookie, name: String(decoding: nameBytes, as: UTF8.self)))
            offset = nameStart + length
        }
        return events
    }
}

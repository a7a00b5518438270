/// The lines of one `appended` event as they are encoded: a JSON array of strings (or of values,
/// with `parse: json`) built straight into its bytes, with where each element starts, so the last
/// few can be kept for the stream's state without encoding them again.
struct LineBatch {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "[")]
    /// The offset of each element in `bytes`.
    private(set) var starts: [Int] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    var isEmpty: Bool { starts.isEmpty }
    var count: Int { starts.count }

    /// Appends one element, written by `write` into the bytes.
    mutating func append(_ write: (inout [UInt8]) -> Void) {
        if !starts.isEmpty { bytes.append(UInt8(ascii: ",")) }
        starts.append(bytes.count)
        write(&bytes)
    }

    /// Appends every line of `region` (complete lines, LF-ended, no CR) at once; false, with
    /// nothing appended, when one is longer than `maxLine` (see ``LineJSON/appendLines``).
    mutating func appendLines(_ region: UnsafeRawBufferPointer, maxLine: Int) -> Bool {
        let comma = !starts.isEmpty
        if comma { bytes.append(UInt8(ascii: ",")) }
        var added: [Int] = []
        guard LineJSON.appendLines(region, maxLine: maxLine, to: &bytes, lineStart: { added.append($0) }) else {
            if comma { bytes.removeLast() }
            return false
        }
        starts += added
        return true
    }

    /// The encoded element at `index`.
    func element(_ index: Int) -> ArraySlice<UInt8> {
        let end = index + 1 < starts.count ? starts[index + 1] - 1 : bytes.count
        return bytes[starts[index]..<end]
    }

    /// The JSON array.
    func array() -> [UInt8] {
        bytes + [UInt8(ascii: "]")]
    }

    /// The JSON array, made from the batch's own bytes without a copy.
    consuming func takeArray() -> [UInt8] {
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }
}

/// The last N encoded lines of a stream: its state, which the first event and every late joiner
/// get as `changed`. A ring, so keeping up costs nothing per line beyond the last N of each batch.
struct TailLines {
    let capacity: Int
    private var ring: [[UInt8]] = []
    /// Where the oldest element is, once the ring is full.
    private var head = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { ring.count }

    mutating func append(_ batch: LineBatch) {
        guard capacity > 0 else { return }
        for index in max(0, batch.count - capacity)..<batch.count {
            append(Array(batch.element(index)))
        }
    }

    mutating func append(_ element: [UInt8]) {
        guard capacity > 0 else { return }
        if ring.count < capacity {
            ring.append(element)
        } else {
            ring[head] = element
            head = (head + 1) % capacity
        }
    }

    mutating func removeAll() {
        ring.removeAll()
        head = 0
    }

    /// The lines, oldest first, as a JSON array.
    func array() -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(ring.reduce(2) { $0 + $1.count + 1 })
        for offset in 0..<ring.count {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: ring[(head + offset) % ring.count])
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }
}

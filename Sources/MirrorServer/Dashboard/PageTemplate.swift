/// An HTML page with `{{name}}` markers where inline text goes (`Assets/dashboard.html`), filled once
/// when the page is built.
///
/// The filling is bytes in, bytes out, with no escaping and no second pass: what fills a marker is
/// put in as it is (so the page holds exactly the bytes a CSP hash was computed over), and a marker's
/// text inside what fills another is left alone.
struct PageTemplate {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The page with each `{{name}}` replaced by its bytes. Every name must appear exactly once: the
    /// template is compiled into the binary, so a missing or doubled marker is a mistake in the
    /// files, stopped here (and by the dashboard tests) rather than served.
    func filling(_ parts: [String: [UInt8]]) -> [UInt8] {
        var found: [(range: Range<Int>, with: [UInt8])] = []
        for (name, with) in parts {
            let ranges = bytes.ranges(of: Array("{{\(name)}}".utf8))
            precondition(ranges.count == 1, "the page template holds {{\(name)}} \(ranges.count) times, not once")
            found.append((ranges[0], with))
        }
        var page: [UInt8] = []
        page.reserveCapacity(bytes.count + found.reduce(0) { $0 + $1.with.count })
        var start = 0
        for (range, with) in found.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            page += bytes[start..<range.lowerBound]
            page += with
            start = range.upperBound
        }
        page += bytes[start...]
        return page
    }
}

/// The id of an event on a multiplexed connection (PROTOCOL.md "Multiplexing"): how far the
/// connection has got in each of its streams, so that one `Last-Event-ID` resumes them all.
///
/// `<tag>.<part>.<part>…`, one part per requested stream, in the order of the request:
/// - `tag` is FNV-1a (32 bits, in base 36) of the requested paths, so an id sent back with another
///   list of streams (a page that changed its URL, a `?lastEventId=` copied to another request)
///   resumes none of them, rather than apply one stream's versions to another;
/// - a part is the stream's own id (`<run>-<version>`, see ``EventID``), or only `<version>` when
///   its run is the one named last before it (every stream of one engine shares a run, so most
///   parts are a version alone), or empty when the connection has had nothing of that stream yet.
///
/// Only `[0-9a-z.-]`, none of them a CORS-unsafe request-header byte (WHATWG Fetch §2.2.2), and
/// short: a few dozen bytes for eight streams, well under the 128 bytes Fetch allows a safelisted
/// value. `Last-Event-ID` is not safelisted today (whatwg/fetch#568): EventSource sends it without a
/// preflight all the same, but a `fetch()`-based client that sets it is preflighted, and the
/// proposal to safelist it keeps those byte and length rules.
public struct CompositeEventID: Equatable, Sendable, CustomStringConvertible {
    public var tag: String
    /// Each requested stream's position: the id of the last version the connection has of it.
    public var positions: [EventID?]

    public init(paths: [String], positions: [EventID?]? = nil) {
        self.tag = Self.tag(for: paths)
        self.positions = positions ?? Array(repeating: nil, count: paths.count)
    }

    /// Reads an id a client sent back, for the streams it now asks for: a position per stream, nil
    /// where the part is empty or not as ``description`` writes it there; nil as a whole for
    /// another list of streams, or for anything this server never sent (a single stream's id, say).
    ///
    /// A part is read only in its canonical form, as ``EventID/init(parsing:)`` reads a whole id:
    /// a version without leading zeros, and the run named only where it differs from the one
    /// named last before it (`r1-7.8`, never `r1-7.r1-8`). Any other spelling is no position,
    /// so that stream starts from its current state.
    public init?(parsing text: String, paths: [String]) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == paths.count + 1, parts[0] == Self.tag(for: paths) else { return nil }
        var positions: [EventID?] = []
        var run: String?
        for part in parts.dropFirst() {
            if let id = EventID(parsing: String(part)), id.run != run {
                run = id.run
                positions.append(id)
            } else if let run, let version = EventID.canonicalVersion(part) {
                positions.append(EventID(run: run, version: version))
            } else {
                positions.append(nil)
            }
        }
        self.tag = String(parts[0])
        self.positions = positions
    }

    public var description: String {
        var text = tag
        var run: String?
        for position in positions {
            text += "."
            guard let position else { continue }
            text += position.run == run ? String(position.version) : position.description
            run = position.run
        }
        return text
    }

    /// FNV-1a over the paths, each followed by a space (which no stream path holds, see
    /// `StreamPathRule`), so `/a`,`/bc` and `/ab`,`/c` differ.
    static func tag(for paths: [String]) -> String {
        var hash: UInt32 = 2_166_136_261
        for path in paths {
            for byte in path.utf8 + [0x20] {
                hash = (hash ^ UInt32(byte)) &* 16_777_619
            }
        }
        return String(hash, radix: 36)
    }
}

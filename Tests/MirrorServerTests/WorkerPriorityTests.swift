import Foundation
import Testing

/// Big documents are parsed and diffed on threads niced below the event loops (issue: "no stream
/// waits for another"). The nice value is per thread on Linux, so the process's own tasks show it.
@Suite("worker priority", .timeLimit(.minutes(1)))
struct WorkerPriorityTests {
    /// The nice value of every thread of this process (proc(5), /proc/self/task/*/stat field 19).
    static func threadNiceValues() throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { task in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm)" come the fields from 3 (state) on; nice is field 19.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            return fields.count > 16 ? Int(fields[16]) : nil
        }
    }

    @Test func anEngineRunsBigDocumentWorkOnNicedThreads() async throws {
        try await withServer(MirrorFixture.start(files: ["app.json": #"{"a": 1}"#])) { fixture in
            // Each thread lowers its own priority as it starts; give them a moment.
            try await eventually { ((try? Self.threadNiceValues().filter { $0 == 10 }.count) ?? 0) >= 2 }
            #expect(try Self.threadNiceValues().filter { $0 == 10 }.count >= 2)
            // The event loops are not niced.
            #expect(try Self.threadNiceValues().contains(0))
        }
    }
}

import ArgumentParser
import MirrorCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a config file and exit: 0 if valid, 2 if not.")

    @Argument(help: "The config file.")
    var config: String = "mirror.yaml"

    func run() throws {
        let loaded = try ConfigFile.load(config)
        // Warnings go where errors go, compiler-style; the config is still valid (exit 0).
        var stderr = StandardError()
        for warning in loaded.warnings { print(warning.description, to: &stderr) }
        var summary = "\(config): ok, \(loaded.streams.count) stream\(loaded.streams.count == 1 ? "" : "s") on \(loaded.listen)"
        // Where streams publish (`publish:`), credentials shown as ***; in config order.
        var targets: [(target: PublishTarget, streams: Int)] = []
        for stream in loaded.streams {
            guard let target = loaded.publish.target(forStream: stream.path) else { continue }
            if let index = targets.firstIndex(where: { $0.target == target }) { targets[index].streams += 1 } else { targets.append((target, 1)) }
        }
        for (target, streams) in targets { summary += ", \(streams) publishing to \(target)" }
        print(summary)
    }
}

import ArgumentParser
import MirrorCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a config file and exit: 0 if valid, 2 if not.")

    @Argument(help: "The config file.")
    var config: String = "mirror.yaml"

    func run() throws {
        let loaded = try ConfigFile.load(config)
        print("\(config): ok, \(loaded.streams.count) stream\(loaded.streams.count == 1 ? "" : "s") on \(loaded.listen)")
    }
}

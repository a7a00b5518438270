public import ArgumentParser
import Logging
import Metrics
import MirrorServer
import ServiceLifecycle
import MirrorCore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the streams a config file declares (the default).")

    @Argument(help: "The config file.")
    var config: String = "mirror.yaml"

    @Option(help: ArgumentHelp("Listen on HOST:PORT or [IPv6]:PORT instead of the config's 'listen'.", valueName: "host:port"))
    var listen: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "How log entries are written to standard error: text, or json (one object per line).")
    var logFormat: LogFormat = .text

    func validate() throws {
        if let listen {
            do {
                _ = try ListenAddress(parsing: listen)
            } catch {
                throw ValidationError("--listen: \(error.message)")
            }
        }
    }

    func run() async throws {
        let level = logLevel
        switch logFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return EscapingLogHandler(handler)
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "sse-mirror")
        // Once per process (swift-metrics allows no second bootstrap); the server gets the same
        // registry passed in, which `/metrics` exposes.
        let metrics = MirrorMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        let override = try listen.map { try ListenAddress(parsing: $0) }
        let adjust: ConfigReloader.Adjust = { config in
            if let override { config.listen = override }
        }
        var loaded = try ConfigFile.load(config)
        adjust(&loaded)
        ConfigReloader.logWarnings(of: loaded, to: logger)
        ResourceLimits.raiseOpenFileLimit(logger: logger)
        let service = MirrorService(config: loaded, metrics: metrics, logger: logger, adjust: adjust)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            // A config can be valid and still not servable here: the port is taken, the address is not local.
            var stderr = StandardError()
            print("sse-mirror: error: cannot serve on \(loaded.listen): \(ServeFailure.describe(error))", to: &stderr)
            throw ExitCodes.badInput
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

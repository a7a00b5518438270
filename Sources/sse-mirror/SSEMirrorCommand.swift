import ArgumentParser

/// `sse-mirror [serve] [CONFIG]`, `sse-mirror check CONFIG`, `sse-mirror diff OLD NEW`, `sse-mirror apply DOC PATCH`.
///
/// Exit codes, for every subcommand: 0 ok, 1 bad input, 2 bad config, 64 usage error
/// (EX_USAGE from sysexits(3), which swift-argument-parser already uses for usage errors).
@main
struct SSEMirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sse-mirror",
        abstract: "Mirror files to Server-Sent Events streams, as mirror.yaml declares.",
        version: SSEMirrorVersion.current,
        subcommands: [Serve.self, Check.self, DiffCommand.self, ApplyCommand.self],
        defaultSubcommand: Serve.self
    )
}

enum SSEMirrorVersion {
    static let current = "0.1.0"
}

enum ExitCodes {
    static let badInput = ExitCode(1)
    static let badConfig = ExitCode(2)
}

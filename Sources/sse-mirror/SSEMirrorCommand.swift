import ArgumentParser

/// `sse-mirror [serve] [CONFIG]`, `sse-mirror check CONFIG`, `sse-mirror diff OLD NEW`, `sse-mirror apply DOC PATCH`,
/// `sse-mirror follow URL`.
///
/// Exit codes, for every subcommand: 0 ok, 1 bad input, 2 bad config, 64 usage error
/// (EX_USAGE from sysexits(3), which swift-argument-parser already uses for usage errors); `follow`
/// adds 124 for a `--timeout` that passed, as timeout(1) does.
@main
struct SSEMirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sse-mirror",
        abstract: "Mirror files to Server-Sent Events streams, as mirror.yaml declares.",
        version: SSEMirrorVersion.current,
        subcommands: [Serve.self, Check.self, DiffCommand.self, ApplyCommand.self, FollowCommand.self],
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

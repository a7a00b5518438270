import ArgumentParser
import Glibc
import MirrorClient
import NIOPosix
import MirrorCore
import MirrorDocument

/// `sse-mirror follow URL`: a client that keeps a stream's current document, resuming through
/// reconnects as an EventSource does, and prints it or the raw events; with `--until`, a way for a
/// script to wait for a state ("the artifact is there", "the deploy says ready").
///
/// Exit codes: 0 the condition held (or standard output was closed), 1 bad input or a refusal that
/// retrying cannot change (a `4xx`, TLS), 124 `--timeout` passed first, as timeout(1) does.
/// SIGINT and SIGTERM keep their default action: the process ends at once, and a shell reports
/// 130 or 143. Nothing is lost by that: every line goes out with write(2) as it is made.
struct FollowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Follow a stream: keep its current document (applying patches, resuming through reconnects) and print it.",
        discussion: """
            --print doc (the default) prints the document as compact JSON, one line each time it changes \
            (with --until: only the document that satisfies it, once). --print events prints the events \
            as the server sent them (event:, id:, data: lines, a blank line). Notes on reconnects and \
            'invalid' go to standard error.

            --until POINTER[=JSON] exits 0 as soon as the document has a value at the RFC 6901 pointer \
            (or one equal to JSON, numbers compared by value as RFC 6902's test does): \
            --until '/dist~1app.tar.gz', --until '/status="ready"', --until /replicas=3. \
            A directory stream's entry for a file still being written ("writing": true) does not \
            count, nor anything inside it, until the file is whole.

            Exit codes: 0 the condition held; 1 bad input, or an answer retrying cannot change (4xx); \
            124 --timeout passed first. Without --until it runs until interrupted (SIGINT and SIGTERM \
            end it at once, 130 and 143 in the shell).
            """
    )

    enum PrintMode: String, ExpressibleByArgument, CaseIterable {
        case doc
        case events
    }

    @Argument(help: "The stream's absolute http:// or https:// URL.")
    var url: String

    @Option(name: .customLong("print"), help: "doc: the document, one line per version; events: the raw events.")
    var printMode: PrintMode = .doc

    @Option(help: ArgumentHelp("Exit 0 once the document has a value at this pointer (equal to JSON, if given).", valueName: "pointer[=json]"))
    var until: String?

    @Option(help: ArgumentHelp("Exit 124 if --until has not held after this long: seconds (600), or 500ms, 30s, 10m, 1h; 0 is never.", valueName: "duration"))
    var timeout: String?

    @Option(help: "A bearer token for a stream behind auth (sent as Authorization: Bearer; never printed).")
    var token: String?

    @Option(help: "Read the bearer token from this file (its first line), so it does not show in ps.")
    var tokenFile: String?

    @Option(help: ArgumentHelp("PEM certificates to trust for an https URL instead of the system's.", valueName: "file"))
    var cacert: String?

    func run() async throws {
        let target: FollowTarget
        let condition: FollowCondition?
        let limit: Duration?
        let bearer: String?
        do {
            target = try FollowTarget(parsing: url)
            condition = try until.map(FollowCondition.init(parsing:))
            limit = try timeout.map(Self.duration)
            bearer = try Self.token(token, file: tokenFile)
        } catch let error as ValueError {
            throw fail(error.message)
        } catch let error as FollowConditionError {
            throw fail(error.message)
        } catch {
            throw fail("\(error)")
        }
        let follower: StreamFollower
        do {
            follower = try StreamFollower(target: target, token: bearer, trustRoots: cacert, group: MultiThreadedEventLoopGroup.singleton)
        } catch {
            throw fail("cannot set up TLS: \(error)")
        }
        if let limit, limit > .zero {
            // The follower may be inside a connect, which does not heed cancellation: the timeout
            // ends the process itself. Nothing is pending; every line went out with write(2).
            let what = (until.map { "--until \($0) did not hold" } ?? "following ended") + " within \(timeout ?? "")"
            _ = Task.detached {
                try await Task.sleep(for: limit)
                var stderr = StandardError()
                Swift.print("sse-mirror follow: timed out: \(what)", to: &stderr)
                Glibc.exit(124)
            }
        }
        var printer = FollowPrinter(mode: printMode, condition: condition)
        do {
            try await follower.run(note: Self.note) { printer.take($0) }
        } catch let failure as FollowFailure {
            throw fail(failure.description)
        }
    }

    private static func note(_ text: String) {
        var stderr = StandardError()
        Swift.print("sse-mirror follow: \(text)", to: &stderr)
    }

    /// Says what is wrong on standard error; the exit code to throw.
    private func fail(_ message: String) -> ExitCode {
        Self.note(message)
        return ExitCodes.badInput
    }

    /// timeout(1)'s plain seconds (fractions too), or a duration as mirror.yaml writes one.
    static func duration(_ text: String) throws(ValueError) -> Duration {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, text.first?.isNumber == true {
            guard seconds <= 31_536_000 else { throw ValueError("--timeout: \(text) s is too long; at most a year") }
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        do {
            return try DurationText.parse(text)
        } catch {
            throw ValueError("--timeout: \(error.message)")
        }
    }

    /// The token from --token or the first line of --token-file; one that could break the header is refused.
    static func token(_ given: String?, file: String?) throws(ValueError) -> String? {
        if given != nil && file != nil { throw ValueError("give --token or --token-file, not both") }
        var token = given
        if let file {
            let bytes: [UInt8]
            do {
                bytes = try FileReader.readAll(path: file, limit: 1 << 16)
            } catch {
                throw ValueError("--token-file \(file): \(error)")
            }
            token = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
        guard let token else { return nil }
        guard !token.isEmpty else { throw ValueError("the token is empty") }
        guard token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw ValueError("the token holds a space, a control character or a character that is not ASCII")
        }
        return token
    }
}

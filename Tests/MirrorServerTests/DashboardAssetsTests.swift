import Foundation
import MirrorDocument
@testable import MirrorServer
import NIOCore
import Testing

/// The dashboard's files (`Sources/MirrorServer/Dashboard/Assets/`, embedded by `.embedInCode`) are
/// served byte for byte, and the page's Content Security Policy allows the inline style and script by
/// the SHA-256 of exactly the bytes served between their tags (CSP Level 3 §8.4): a hash of anything
/// else and the browser runs no script. How the answers travel is in DashboardTests.
@Suite("dashboard assets: the embedded files as served")
struct DashboardAssetsTests {
    /// The text of the first element that opens with `open` and closes with `close`.
    func inlineText(_ page: String, open: String, close: String) throws -> Substring {
        let start = try #require(page.range(of: open)).upperBound
        let end = try #require(page.range(of: close, range: start..<page.endIndex)).lowerBound
        return page[start..<end]
    }

    /// The source a directive of the policy lists after `name` (and after `'self'` for scripts).
    func source(_ name: String, in policy: String) throws -> String {
        let directive = try #require(policy.split(separator: "; ").first { $0.hasPrefix(name + " ") })
        return String(try #require(directive.split(separator: " ").last))
    }

    var page: String { String(decoding: DashboardPage.asset.body.readableBytesView, as: UTF8.self) }

    var policy: String? { DashboardPage.asset.fields.first { $0.0 == "Content-Security-Policy" }?.1 }

    @Test func thePoliciesHashesAreOfTheBytesBetweenTheTags() throws {
        let policy = try #require(policy)
        let style = try inlineText(page, open: "<style>", close: "</style>")
        let script = try inlineText(page, open: #"<script type="module">"#, close: "</script>")
        #expect(try source("style-src", in: policy) == "'sha256-" + ContentDigest.base64(of: Array(style.utf8)) + "'")
        #expect(try source("script-src", in: policy) == "'sha256-" + ContentDigest.base64(of: Array(script.utf8)) + "'")
        #expect(policy.contains("script-src 'self' 'sha256-"))
    }

    @Test func thePageIsTheTemplateWithTheStyleAndScriptFilesInline() throws {
        let style = try inlineText(page, open: "<style>", close: "</style>")
        let script = try inlineText(page, open: #"<script type="module">"#, close: "</script>")
        #expect(Array(style.utf8) == Array("\n".utf8) + PackageResources.dashboard_css)
        #expect(Array(script.utf8) == Array("\n".utf8) + PackageResources.dashboard_js)
        #expect(!page.contains("{{"))
        #expect(page.hasPrefix("<!doctype html>\n") && page.hasSuffix("</html>\n"))
        #expect(DashboardPage.asset.body.readableBytes == PackageResources.dashboard_html.count
            - "{{dashboard.css}}{{dashboard.js}}".utf8.count + style.utf8.count + script.utf8.count)
    }

    @Test func clientJSIsTheFileByteForByte() {
        #expect(ClientScript.asset.body == ByteBuffer(bytes: PackageResources.client_js))
        #expect(PackageResources.client_js.starts(with: Array("// sse-mirror client".utf8)))
    }

    @Test func aTemplateIsFilledInOnePassWithTheBytesAsTheyAre() {
        let template = PageTemplate(Array("<a>{{one}}</a><b>{{two}}</b>".utf8))
        // Not UTF-8, and a marker's text inside what fills another: both put in untouched.
        let page = template.filling(["two": Array("{{one}}".utf8), "one": [0xFF, 0x0A]])
        #expect(page == Array("<a>".utf8) + [0xFF, 0x0A] + Array("</a><b>{{one}}</b>".utf8))
        #expect(template.filling([:]) == template.bytes)
    }

    /// `node` from the PATH, when it is installed.
    static let node: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { URL(filePath: String($0)).appending(path: "node") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// What node says of `script` parsed as an ES module: nil when it parses, else its error. Given on
    /// its standard input with `--input-type=module`: `node --check file.js` (node 20) lets a syntax
    /// error through in a file with `import` or `export`.
    func moduleSyntaxError(_ script: [UInt8]) async throws -> String? {
        let process = Process()
        process.executableURL = try #require(Self.node)
        process.arguments = ["--input-type=module", "--check"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: script)
        try input.fileHandleForWriting.close()
        // A syntax error's report is a few lines, well within what the pipe holds until it is read.
        guard await process.exited() != 0 else { return nil }
        return String(decoding: try errors.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self)
    }

    @Test(.enabled(if: node != nil, "node is not installed"))
    func theScriptsServedParseAsModules() async throws {
        #expect(try await moduleSyntaxError(PackageResources.client_js) == nil)
        #expect(try await moduleSyntaxError(PackageResources.dashboard_js) == nil)
        let broken = try await moduleSyntaxError(Array("export const half = ;\n".utf8))
        #expect(broken?.contains("SyntaxError") == true)
    }

    /// A marker the template lacks, or holds twice, is a mistake in the files: the page is not built.
    @Test func aMarkerMissingStops() async {
        await #expect(processExitsWith: .failure) {
            _ = PageTemplate(Array("<a></a>".utf8)).filling(["one": []])
        }
    }

    @Test func aMarkerTwiceStops() async {
        await #expect(processExitsWith: .failure) {
            _ = PageTemplate(Array("<a>{{one}}</a><b>{{one}}</b>".utf8)).filling(["one": []])
        }
    }
}

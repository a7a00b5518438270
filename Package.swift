// swift-tools-version:6.0
import PackageDescription

/// Settings every target shares, kept in one place (the way swift-log applies its features).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "sse-mirror",
    products: [
        .executable(name: "sse-mirror", targets: ["sse-mirror"]),
        .library(name: "MirrorDocument", targets: ["MirrorDocument"]),
        .library(name: "MirrorCore", targets: ["MirrorCore"]),
        .library(name: "MirrorServer", targets: ["MirrorServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
    ],
    targets: [
        /// The system libyaml (Debian `libyaml-dev`), found through pkg-config.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        /// The system zlib (Debian `zlib1g-dev`), found through pkg-config: events are compressed
        /// once, as self-contained deflate segments, never by a hand-written codec.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        /// Text to values and back: YAML events, JSON parse and serialize, RFC 6901/6902/7396 and
        /// transforms. No NIO, no files, no logging: what `diff` and `apply` compute with.
        .target(
            name: "MirrorDocument",
            dependencies: [
                "CYAML",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Config, watching, sources, SSE encoding and the fan-out hub. No sockets.
        .target(
            name: "MirrorCore",
            dependencies: [
                "MirrorDocument",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        /// HTTP and SSE on SwiftNIO, and the service that ties engine and server together.
        .target(
            name: "MirrorServer",
            dependencies: [
                "MirrorCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            /// The dashboard's HTML, CSS and JavaScript and /client.js, compiled in as byte arrays
            /// (`PackageResources`): `.embedInCode` only, since `.process` and `.copy` make a
            /// Foundation `Bundle.module`.
            resources: [.embedInCode("Dashboard/Assets")],
            swiftSettings: swiftSettings
        ),
        /// `sse-mirror follow`: an event-stream client on SwiftNIO, its decisions as plain values.
        .target(
            name: "MirrorClient",
            dependencies: [
                "MirrorDocument",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sse-mirror",
            dependencies: [
                "MirrorDocument",
                "MirrorCore",
                "MirrorServer",
                "MirrorClient",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        /// What more than one test target needs (writers that race the reader).
        .target(
            name: "MirrorTestSupport",
            path: "Tests/MirrorTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MirrorDocumentTests",
            dependencies: ["MirrorDocument", "MirrorTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MirrorCoreTests",
            dependencies: ["MirrorDocument", "MirrorCore", "MirrorTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MirrorClientTests",
            dependencies: ["MirrorDocument", "MirrorClient", "MirrorTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MirrorServerTests",
            dependencies: [
                "MirrorDocument",
                "MirrorCore",
                "MirrorServer",
                "MirrorClient",
                "MirrorTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "manifest-delivery",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "manifest", targets: ["ManifestCLI"]),
        .library(name: "ManifestBuilder", targets: ["ManifestBuilder"]),
        .library(name: "ManifestEdge", targets: ["ManifestEdge"]),
        .library(name: "ManifestControl", targets: ["ManifestControl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        /// libcurl, linked from the system, plus typed wrappers for its variadic setters.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        /// Workspace model, catalog, connection rules, manifest compiler and publishing. No network I/O.
        .target(
            name: "ManifestBuilder",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        /// Origin client (libcurl), edge cache, HTTP servers and the client simulator.
        .target(
            name: "ManifestEdge",
            dependencies: [
                "CCurl",
                "ManifestBuilder",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Browser")]
        ),
        /// Config API control plane: workspace state store, tokens, secrets, audit log and the HTTP API.
        .target(
            name: "ManifestControl",
            dependencies: [
                "ManifestBuilder",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("OpenAPI/openapi.json")]
        ),
        /// The `manifest` command: parses arguments and calls the libraries.
        .executableTarget(
            name: "ManifestCLI",
            dependencies: [
                "ManifestBuilder",
                "ManifestEdge",
                "ManifestControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The publish benchmark (bench/README section of the top-level README).
        .executableTarget(
            name: "PublishBench",
            dependencies: ["ManifestBuilder"],
            path: "bench/PublishBench"
        ),
        /// The control-plane benchmark: API write -> every loopback edge serving the new version.
        .executableTarget(
            name: "ControlBench",
            dependencies: [
                "ManifestBuilder",
                "ManifestControl",
                "ManifestEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "bench/ControlBench"
        ),
        .testTarget(
            name: "ManifestBuilderTests",
            dependencies: [
                "ManifestBuilder",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ManifestControlTests",
            dependencies: [
                "ManifestControl",
                "ManifestBuilder",
                "ManifestEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ManifestEdgeTests",
            dependencies: [
                "ManifestEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)

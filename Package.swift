// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "manifest-delivery",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "manifest", targets: ["ManifestCLI"]),
        .library(name: "ManifestBuilder", targets: ["ManifestBuilder"]),
        .library(name: "ManifestHTTP", targets: ["ManifestHTTP"]),
        .library(name: "ManifestOrigin", targets: ["ManifestOrigin"]),
        .library(name: "ManifestEdge", targets: ["ManifestEdge"]),
        .library(name: "ManifestSimulation", targets: ["ManifestSimulation"]),
        .library(name: "ManifestControl", targets: ["ManifestControl"]),
        .library(name: "ManifestPostgres", targets: ["ManifestPostgres"]),
        .library(name: "ManifestRelay", targets: ["ManifestRelay"]),
        .library(name: "ManifestTLS", targets: ["ManifestTLS"]),
        /// The fuzz targets' entry functions, for the libFuzzer package under `fuzz/`.
        .library(name: "ManifestFuzzing", targets: ["ManifestFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        /// libcurl, linked from the system, plus typed wrappers for its variadic setters.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        /// Brotli's encoder, linked from the system (`libbrotli-dev`), for compressed responses.
        .systemLibrary(
            name: "CBrotli",
            pkgConfig: "libbrotlienc",
            providers: [.apt(["libbrotli-dev"])]
        ),
        /// Workspace model, catalog, connection rules, manifest compiler, signing and publishing.
        /// No network I/O.
        .target(
            name: "ManifestBuilder",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        /// What origin, edge and clients share: cache directives, entity tags, HTTP dates, field
        /// names, the clock, the invalidation batch, the `Upstream` protocol and the libcurl client.
        .target(
            name: "ManifestHTTP",
            dependencies: [
                "CCurl",
                "ManifestBuilder",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
            ]
        ),
        /// TLS for the servers: certificates loaded from PEM files and reloaded in place, the
        /// protocols offered (TLS 1.2+, ALPN h2 and http/1.1), and a development CA for demos and tests.
        .target(
            name: "ManifestTLS",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        /// TLS for the Hummingbird servers (origin, control plane), with the certificate reload of
        /// `ManifestTLS`. Apart from it so that the edge does not link Hummingbird.
        .target(
            name: "ManifestHummingbirdTLS",
            dependencies: [
                "ManifestTLS",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        /// The origin: published manifests, bundles and the invalidation stream over Hummingbird.
        .target(
            name: "ManifestOrigin",
            dependencies: [
                "ManifestBuilder",
                "ManifestHTTP",
                "ManifestHummingbirdTLS",
                "ManifestTLS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The edge: a shared HTTP cache on SwiftNIO in front of the origin (HTTP/1.1, and HTTP/2
        /// over TLS), its invalidation subscriber and the browser loader it serves. No Hummingbird.
        .target(
            name: "ManifestEdge",
            dependencies: [
                "CBrotli",
                "ManifestBuilder",
                "ManifestHTTP",
                "ManifestTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Browser/Assets")]
        ),
        /// Simulated Analytics.js clients, the propagation simulator and the loopback deployment.
        .target(
            name: "ManifestSimulation",
            dependencies: [
                "ManifestBuilder",
                "ManifestHTTP",
                "ManifestOrigin",
                "ManifestEdge",
                "ManifestTLS",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The control plane: the Config API and the operator console over the workspace state
        /// store, tokens, sealed secrets and the audit log; publishes each change live.
        .target(
            name: "ManifestControl",
            dependencies: [
                "ManifestBuilder",
                "ManifestHummingbirdTLS",
                "ManifestTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("OpenAPI/openapi.json"), .copy("Console/Templates"), .copy("Console/Assets")]
        ),
        /// The PostgreSQL stores, for operators who outgrow one machine: the origin's publish log
        /// and the control plane's state in one database, publishes pushed with LISTEN/NOTIFY.
        .target(
            name: "ManifestPostgres",
            dependencies: [
                "ManifestBuilder",
                "ManifestControl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        /// Purge relays for CDNs in front of the origin: follows the invalidation stream and purges
        /// Varnish by surrogate key (`deploy/varnish/manifest.vcl`).
        .target(
            name: "ManifestRelay",
            dependencies: [
                "ManifestBuilder",
                "ManifestHTTP",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// Fuzz targets (JSON input, HTTP field parsers, the edge's request path) as plain
        /// functions: `fuzz/` wraps them for libFuzzer, `ManifestFuzzingTests` replays the corpus.
        .target(
            name: "ManifestFuzzing",
            dependencies: [
                "ManifestBuilder",
                "ManifestHTTP",
                "ManifestEdge",
                "ManifestSimulation",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        /// The `manifest` command: parses arguments and calls the libraries.
        .executableTarget(
            name: "ManifestCLI",
            dependencies: [
                "ManifestBuilder",
                "ManifestHTTP",
                "ManifestOrigin",
                "ManifestEdge",
                "ManifestSimulation",
                "ManifestControl",
                "ManifestPostgres",
                "ManifestRelay",
                "ManifestTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
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
                "ManifestHTTP",
                "ManifestOrigin",
                "ManifestSimulation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "bench/ControlBench"
        ),
        /// The console benchmark: every console page of a large workspace (`bench/console.sh`).
        .executableTarget(
            name: "ConsoleBench",
            dependencies: [
                "ManifestBuilder",
                "ManifestControl",
                "ManifestHTTP",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "bench/ConsoleBench"
        ),
        /// Helpers the test targets share: fixtures, servers on loopback, captured logs.
        .target(
            name: "TestSupport",
            dependencies: [
                "ManifestBuilder",
                "ManifestHTTP",
                "ManifestOrigin",
                "ManifestEdge",
                "ManifestSimulation",
                "ManifestControl",
                "ManifestPostgres",
                "ManifestTLS",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "ManifestBuilderTests",
            dependencies: [
                "ManifestBuilder", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "ManifestHTTPTests", dependencies: ["ManifestHTTP", "TestSupport"]),
        .testTarget(
            name: "ManifestOriginTests",
            dependencies: [
                "ManifestOrigin", "ManifestHTTP", "ManifestSimulation", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ManifestEdgeTests",
            dependencies: [
                "ManifestEdge", "ManifestOrigin", "ManifestHTTP", "ManifestSimulation", "ManifestTLS", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .testTarget(
            name: "ManifestSimulationTests",
            dependencies: ["ManifestSimulation", "ManifestEdge", "ManifestOrigin", "ManifestHTTP", "TestSupport"]
        ),
        .testTarget(
            name: "ManifestControlTests",
            dependencies: [
                "ManifestControl", "ManifestBuilder", "ManifestEdge", "ManifestHTTP", "ManifestOrigin",
                "ManifestSimulation",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "ManifestCLITests", dependencies: ["ManifestBuilder", "ManifestPostgres", "TestSupport"]),
        /// One suite of store invariants, run against SQLite and a throwaway PostgreSQL cluster.
        .testTarget(
            name: "ManifestStoreTests",
            dependencies: [
                "ManifestBuilder", "ManifestControl", "ManifestHTTP", "ManifestOrigin", "ManifestPostgres",
                "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(name: "ManifestFuzzingTests", dependencies: ["ManifestFuzzing", "TestSupport"]),
        .testTarget(
            name: "ManifestRelayTests",
            dependencies: [
                "ManifestRelay", "ManifestBuilder", "ManifestHTTP", "ManifestOrigin", "TestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

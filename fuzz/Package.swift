// swift-tools-version:6.2
import PackageDescription

/// libFuzzer executables for the fuzz targets of the main package (`ManifestFuzzing`). Kept out
/// of the main package because they link only with `-sanitize=fuzzer`:
/// `swift build --package-path fuzz -Xswiftc -sanitize=fuzzer` (or `make fuzz`).
let flags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
/// libFuzzer's runtime brings a `main`, and SwiftPM defines one for every executable.
let linking: [LinkerSetting] = [.unsafeFlags(["-Xlinker", "--allow-multiple-definition"])]

let package = Package(
    name: "manifest-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "manifest-delivery", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzJSON", dependencies: [.product(name: "ManifestFuzzing", package: "manifest-delivery")],
            swiftSettings: flags, linkerSettings: linking),
        .executableTarget(
            name: "FuzzHTTPFields", dependencies: [.product(name: "ManifestFuzzing", package: "manifest-delivery")],
            swiftSettings: flags, linkerSettings: linking),
        .executableTarget(
            name: "FuzzEdgeRequest", dependencies: [.product(name: "ManifestFuzzing", package: "manifest-delivery")],
            swiftSettings: flags, linkerSettings: linking),
    ]
)

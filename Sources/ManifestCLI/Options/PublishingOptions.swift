import ArgumentParser
import Foundation
import ManifestBuilder

/// The SDK stubs that commands which compile manifests bundle.
struct SDKOption: ParsableArguments {
    @Option(help: "The directory of SDK stubs, one {destination id}.js per device-mode destination.")
    var sdkDir: String = "fixtures/sdk"

    func load(for catalog: Catalog) throws(UnusableInput) -> BundleSet {
        do {
            return try BundleSet.load(catalog: catalog, from: URL(fileURLWithPath: sdkDir, isDirectory: true))
        } catch {
            throw UnusableInput(error.description)
        }
    }
}

/// Where the manifests a command compiles point their bundle URLs.
struct CDNOption: ParsableArguments {
    @Option(help: "The CDN base URL that manifests point bundle URLs at.")
    var cdnUrl: String = "http://127.0.0.1:8080"
}

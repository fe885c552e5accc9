import Crypto
import Foundation

/// One destination's SDK as the origin serves it: immutable bytes at the path the browser asks
/// for, with the Subresource Integrity hash the manifest carries.
public struct BundleArtifact: Hashable, Sendable {
    public var destinationID: String
    public var path: String
    public var bytes: [UInt8]
    /// `sha384-<base64>`, for the script tag's `integrity` attribute.
    public var integrity: String

    public static let contentType = "application/javascript; charset=utf-8"

    public init(destinationID: String, path: String, bytes: [UInt8]) {
        self.destinationID = destinationID
        self.path = path
        self.bytes = bytes
        self.integrity = "sha384-" + Data(SHA384.hash(data: bytes)).base64EncodedString()
    }
}

/// The SDK bundles of every device-mode destination in the catalog.
///
/// Classic bundles are stored as plain JavaScript at the `.gz` path the library computes (the
/// spec allows plain or gzip; plain keeps the bytes the SRI hash covers identical on every hop).
/// Their path is addressed by version, so changing a stub means bumping its catalog version:
/// the store refuses different bytes at an existing path.
public struct BundleSet: Sendable {
    /// By catalog destination id.
    public let artifacts: [String: BundleArtifact]

    /// `stubs` maps a destination id to its SDK's JavaScript.
    public init(catalog: Catalog, stubs: [String: [UInt8]]) throws(BundleError) {
        var artifacts: [String: BundleArtifact] = [:]
        for destination in catalog.destinations {
            guard let bundle = destination.bundle else { continue }
            guard let bytes = stubs[destination.id] else {
                throw BundleError.missingStub(destination: destination.name, id: destination.id)
            }
            let path: String
            switch destination.family {
            case .classic:
                path = BundlePaths.classic(name: destination.name, version: bundle.version)
            case .actions:
                let hash = SHA256.hash(data: bytes).hexString.prefix(20)
                path = BundlePaths.actions(directory: bundle.directory ?? destination.id, contentHash: String(hash))
            }
            artifacts[destination.id] = BundleArtifact(destinationID: destination.id, path: path, bytes: bytes)
        }
        self.artifacts = artifacts
    }

    /// Reads `{id}.js` from `directory` for every device-mode destination.
    public static func load(catalog: Catalog, from directory: URL) throws(BundleError) -> BundleSet {
        var stubs: [String: [UInt8]] = [:]
        for destination in catalog.destinations where destination.bundle != nil {
            let file = directory.appendingPathComponent("\(destination.id).js")
            if let data = FileManager.default.contents(atPath: file.path) { stubs[destination.id] = Array(data) }
        }
        return try BundleSet(catalog: catalog, stubs: stubs)
    }

    public subscript(destinationID: String) -> BundleArtifact? { artifacts[destinationID] }
}

public enum BundleError: Error, Hashable, CustomStringConvertible {
    case missingStub(destination: String, id: String)

    public var description: String {
        switch self {
        case .missingStub(let destination, let id):
            "no SDK bundle for device-mode destination \(destination): expected \(id).js in the SDK directory"
        }
    }
}

extension Digest {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

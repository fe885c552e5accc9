import Foundation
import HTTPTypes
import NIOCore

/// The first-party browser loader and the demo page the edge serves (`Browser/Assets/` resources):
/// `/manifest-loader.js` and `/demo?writeKey=&keyId=&publicKey=&integrations=`.
enum BrowserAssets {
    private static let files: [String: (name: String, type: String)] = [
        "/manifest-loader.js": ("manifest-loader.js", "application/javascript; charset=utf-8"),
        "/demo": ("demo.html", "text/html; charset=utf-8"),
        "/demo/": ("demo.html", "text/html; charset=utf-8"),
    ]

    private static let contents: [String: ByteBuffer] = {
        var loaded: [String: ByteBuffer] = [:]
        for (path, file) in files {
            guard let url = Bundle.module.url(forResource: file.name, withExtension: nil, subdirectory: "Assets"),
                let data = try? Data(contentsOf: url)
            else { continue }
            loaded[path] = ByteBuffer(bytes: data)
        }
        return loaded
    }()

    static func response(for path: String) -> EdgeResponse {
        guard let file = files[path], let body = contents[path] else {
            return EdgeResponses.error(.notFound, "no such asset")
        }
        return EdgeResponse(
            status: .ok,
            headerFields: [
                .contentType: file.type, .cacheControl: "public, max-age=60", .accessControlAllowOrigin: "*",
            ],
            body: body)
    }
}

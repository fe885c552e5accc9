import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's Mustache templates, loaded once from the module's resources, and the HTML
/// responses made from them.
///
/// Every page goes out with `Cache-Control: no-store` (pages hold workspace state, never to be
/// kept by a browser or a proxy) and a Content-Security-Policy that allows only the console's
/// own script, style and form targets.
struct ConsolePages: Sendable {
    private let library: MustacheLibrary

    /// Loads every `*.mustache` file of `Console/Templates`; a broken template stops the start.
    init() throws {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw ConsoleSetupError("the console templates are missing from the bundle")
        }
        ConsoleHTML.register()
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".mustache")
        }
        for file in files.sorted() {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        self.library = library
    }

    /// The page `template` rendered with `view`.
    func render(_ template: String, _ view: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(view, withTemplate: template) ?? "missing template \(template)"
        var headers = Self.headers
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A redirect after a successful form post (303: the browser follows with GET).
    static func seeOther(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = Self.headers
        headers[.location] = location
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }

    static let headers: HTTPFields = [
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "same-origin",
    ]
}

struct ConsoleSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

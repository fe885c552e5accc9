import Foundation
import ManifestBuilder

/// Workspace and catalog input: the parser and the decoder behind `manifest validate`.
enum JSONFuzzing {
    static func run(_ bytes: [UInt8]) {
        let parsed: JSONValue?
        do {
            parsed = try JSONValue.parse(bytes)
        } catch {
            precondition(error.line >= 1 && error.column >= 1, "a syntax error without a position")
            precondition(error.path.hasPrefix("$"), "a syntax error path that is not a JSON path")
            parsed = nil
        }
        let data = Data(bytes)
        for type in [Workspace.self, Catalog.self] as [any Decodable.Type] {
            do {
                _ = try InputDocument.decode(type, from: data, file: "fuzz.json")
                precondition(parsed != nil, "decoded a document the parser refused")
            } catch {
                if parsed == nil { precondition(error.line != nil, "a syntax error without a line: \(error)") }
            }
        }
    }
}

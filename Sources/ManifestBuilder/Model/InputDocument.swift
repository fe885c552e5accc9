import Foundation

/// A file that could not be read or decoded: what went wrong and where, for people.
public struct InputError: Error, Hashable, CustomStringConvertible {
    public var file: String
    /// A JSON path into the document, when the problem is a value rather than the syntax.
    public var path: String?
    public var line: Int?
    public var column: Int?
    public var message: String

    public var description: String {
        var location = file
        if let line, let column { location += ":\(line):\(column)" }
        if let path { location += " at \(path)" }
        return "\(location): \(message)"
    }
}

/// Decodes the JSON documents people write (workspaces, the catalog) with errors that say
/// where: a line and column for syntax, a JSON path for a wrong or missing value.
public enum InputDocument {
    public static func load<T: Decodable>(_ type: T.Type, from url: URL) throws(InputError) -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw InputError(file: url.relativePath, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try decode(type, from: data, file: url.relativePath)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(InputError) -> T {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw syntaxError(error, in: data, file: file)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw valueError(error, file: file)
        } catch let error as CatalogError {
            throw InputError(file: file, path: error.path, message: error.message)
        } catch {
            throw InputError(file: file, message: "\(error)")
        }
    }

    private static func syntaxError(_ error: any Error, in data: Data, file: String) -> InputError {
        let nsError = error as NSError
        let detail = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
        var line: Int?
        var column: Int?
        if let index = nsError.userInfo["NSJSONSerializationErrorIndex"] as? Int {
            (line, column) = position(of: index, in: data)
        } else if let match = detail.firstMatch(of: /line (\d+), column (\d+)/) {
            (line, column) = (Int(match.1), Int(match.2))
        } else if let match = detail.firstMatch(of: /character (\d+)/), let index = Int(match.1) {
            (line, column) = position(of: index, in: data)
        }
        return InputError(file: file, line: line, column: column, message: "invalid JSON: \(detail)")
    }

    /// The 1-based line and column of byte `offset`.
    private static func position(of offset: Int, in data: Data) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    private static func valueError(_ error: DecodingError, file: String) -> InputError {
        func path(_ codingPath: [any CodingKey], appending key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return "$" + keys.map { key in key.intValue.map { "[\($0)]" } ?? JSONPath.member(key.stringValue) }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            return InputError(
                file: file, path: path(context.codingPath, appending: key),
                message: "missing required field '\(key.stringValue)'")
        case .typeMismatch(let type, let context):
            return InputError(
                file: file, path: path(context.codingPath),
                message: "expected \(describe(type)); \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return InputError(
                file: file, path: path(context.codingPath), message: "expected \(describe(type)), found null")
        case .dataCorrupted(let context):
            return InputError(file: file, path: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return InputError(file: file, message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type: "a number"
        default: "\(type)"
        }
    }
}

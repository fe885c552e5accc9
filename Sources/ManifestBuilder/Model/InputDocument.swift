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
        try decode(type, taking: try read(url), file: url.relativePath)
    }

    /// The file's bytes, or why not in words (never a Foundation error domain and code).
    public static func read(_ url: URL) throws(InputError) -> Data {
        try checkReadable(url)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw unreadable(url) }
        return data
    }

    /// Why `url` cannot be read, if it cannot: missing, a directory, or not readable.
    static func checkReadable(_ url: URL) throws(InputError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw InputError(file: url.relativePath, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError(file: url.relativePath, message: "is a directory, not a JSON file")
        }
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw unreadable(url) }
    }

    private static func unreadable(_ url: URL) -> InputError {
        InputError(file: url.relativePath, message: "cannot read the file (permission denied?)")
    }

    /// Checks the syntax with `JSONValue.parse` first (line and column for every syntax error;
    /// duplicate keys, trailing commas and out-of-range numbers refused, with their JSON path),
    /// then decodes the parsed tree (a JSON path for a wrong or missing value): the bytes are
    /// parsed once.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(InputError) -> T {
        try decode(type, tree: try parse(data, file: file), file: file)
    }

    /// `decode(_:from:file:)`, taking the bytes over: they are let go once parsed, before the
    /// model is built from the tree (for a large workspace, tens of MB fewer at the peak).
    public static func decode<T: Decodable>(_ type: T.Type, taking data: consuming Data, file: String)
        throws(InputError) -> T
    {
        let tree = try parse(data, file: file)
        _ = consume data
        return try decode(type, tree: tree, file: file)
    }

    static func parse(_ data: Data, file: String) throws(InputError) -> JSONValue {
        do {
            return try JSONValue.parse(data)
        } catch {
            throw InputError(
                file: file, path: error.reversedPath.isEmpty ? nil : error.path, line: error.line,
                column: error.column, message: "invalid JSON: \(error.message)")
        }
    }

    /// `JSONValueDecoder` over the tree, with the errors of `Decodable` turned into JSON paths.
    static func decode<T: Decodable>(_ type: T.Type, tree: JSONValue, file: String) throws(InputError) -> T {
        do {
            return try JSONValueDecoder.decode(type, from: tree)
        } catch let error as DecodingError {
            throw valueError(error, file: file)
        } catch let error as CatalogError {
            throw InputError(file: file, path: error.path, message: error.message)
        } catch {
            throw InputError(file: file, message: "\(error)")
        }
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

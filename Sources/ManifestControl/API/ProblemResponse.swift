import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// Responses: JSON bodies (canonical: sorted keys) and problem documents.
enum JSONResponse {
    static let problemContentType = "application/problem+json"
    static let typeBase = "https://manifest-delivery.dev/problems/"

    static func ok(_ body: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        return Response(
            status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(body))))
    }

    static func problem(_ error: ControlError, instance: String) -> Response {
        var members: [String: JSONValue] = [
            "type": .string(typeBase + error.type), "title": .string(error.title),
            "status": .int(Int(error.status.code)), "detail": .string(error.detail), "instance": .string(instance),
        ]
        if let pointer = error.pointer { members["pointer"] = .string(pointer) }
        if !error.violations.isEmpty { members["violations"] = .array(error.violations.map(\.json)) }
        var fields = error.headers
        fields[.contentType] = problemContentType
        fields[.cacheControl] = "no-store"
        return Response(
            status: error.status, headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(.object(members)))))
    }
}

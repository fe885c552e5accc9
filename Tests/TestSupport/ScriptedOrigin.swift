import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An origin whose answers a test sets, which counts what it is asked and can hold requests
/// until the test lets them go (for coalescing), or fail them (for stale-if-error).
package actor OriginScript {
    package init() {}

    package enum Mode { case normal, fail }

    /// Response fields for every 200 and 304.
    package var fields: HTTPFields = [
        .contentType: "application/json",
        HTTPField.Name("CDN-Cache-Control")!: "max-age=1800",
        .cacheControl: "public, max-age=60",
    ]
    package var version = 1
    package var mode = Mode.normal
    package private(set) var requests: [String: Int] = [:]
    package private(set) var conditionalRequests = 0
    private var holding = false
    private var held: [CheckedContinuation<Void, Never>] = []
    private var arrivalWaiters: [CheckedContinuation<Void, Never>] = []

    package func set(_ name: String, _ value: String?) { fields[HTTPField.Name(name)!] = value }
    package func setVersion(_ version: Int) { self.version = version }
    package func setMode(_ mode: Mode) { self.mode = mode }
    package func count(_ path: String) -> Int { requests[path, default: 0] }
    package var total: Int { requests.values.reduce(0, +) }

    /// Holds every request from now on until `release()`.
    package func hold() { holding = true }

    package func release() {
        holding = false
        for waiter in held { waiter.resume() }
        held.removeAll()
    }

    /// Returns once at least one request has arrived.
    package func waitForArrival() async {
        if total > 0 { return }
        await withCheckedContinuation { arrivalWaiters.append($0) }
    }

    /// The status of answers to GET (200 unless a test sets another).
    package var status = HTTPResponse.Status.ok
    /// Extra fields on answers to other methods (such as `Location`), and their status.
    package var unsafeFields: HTTPFields = [:]
    package var unsafeStatus = HTTPResponse.Status.ok
    /// Every request as `METHOD path`, in order, and the fields of the last one.
    package private(set) var log: [String] = []
    package private(set) var lastFields: HTTPFields = [:]

    package func setStatus(_ status: HTTPResponse.Status) { self.status = status }
    /// The body of every GET answer, instead of `path vN`.
    package var body: String?
    package func setBody(_ body: String?) { self.body = body }
    package func setUnsafe(_ status: HTTPResponse.Status, _ fields: HTTPFields) {
        unsafeStatus = status
        unsafeFields = fields
    }

    package func handle(
        method: HTTPRequest.Method = .get, path: String, headers: HTTPFields
    ) async -> (HTTPResponse.Status, HTTPFields, String) {
        requests[path, default: 0] += 1
        log.append("\(method.rawValue) \(path)")
        lastFields = headers
        for waiter in arrivalWaiters { waiter.resume() }
        arrivalWaiters.removeAll()
        if holding { await withCheckedContinuation { held.append($0) } }
        if mode == .fail { return (.serviceUnavailable, [.contentType: "text/plain"], "down") }
        if method != .get && method != .head {
            var fields = unsafeFields
            fields[.contentType] = "text/plain"
            return (unsafeStatus, fields, "\(method.rawValue) \(path)")
        }
        var fields = self.fields
        let tag = "\"v\(version)\""
        fields[.eTag] = tag
        if let condition = headers[.ifNoneMatch] {
            conditionalRequests += 1
            if condition == tag { return (.notModified, fields, "") }
        }
        if let body { return (status, fields, body) }
        if let language = headers[HTTPField.Name("Accept-Language")!] {
            return (status, fields, "\(path) v\(version) \(language)")
        }
        return (status, fields, "\(path) v\(version)")
    }
}

package struct ScriptedOrigin: HTTPResponder {
    package typealias Context = BasicRequestContext
    package let script: OriginScript

    package init(script: OriginScript) {
        self.script = script
    }

    package func respond(to request: Request, context: Context) async throws -> Response {
        let (status, fields, body) = await script.handle(
            method: request.method, path: request.uri.string, headers: request.headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Sends raw bytes to 127.0.0.1:port and returns what comes back before the peer closes or
/// two seconds pass: for requests no well-behaved client would send.
package func rawExchange(port: Int, _ request: [UInt8]) throws -> String {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count <= 0 { break }
        received += buffer[0..<count]
        if String(decoding: received, as: UTF8.self).contains("\r\n\r\n") { break }
    }
    return String(decoding: received, as: UTF8.self)
}

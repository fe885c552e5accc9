import CCurl
import Foundation
import HTTPTypes
import Synchronization

/// An HTTP client on libcurl, for fetching from the origin.
///
/// One dedicated thread drives a libcurl multi handle: transfers never block Swift's
/// concurrency pool, many run at once, and connections to the origin are kept alive and reused.
/// Redirects are not followed and bodies are not decoded: an edge passes the origin's bytes on.
public final class CurlHTTPClient: Sendable {
    public struct Request: Sendable {
        public var method: HTTPRequest.Method
        public var url: String
        public var headerFields: HTTPFields
        /// The whole transfer, connection included; `nil` uses the client's default.
        public var timeout: Duration?
        /// The request content, sent with any method (POST, PUT, PATCH, ...); nil sends none.
        public var body: [UInt8]?
        /// For `https://` URLs: a PEM file of the certificate authorities to trust instead of the
        /// system's (a private CA). The server's certificate and name are always verified.
        public var trustedCAFile: String?
        /// Sends `Accept-Encoding` with these codings (`""` for all libcurl knows) and decodes the
        /// body; nil asks for nothing and passes the bytes on as they came.
        public var acceptEncoding: String?
        /// Which HTTP versions to offer.
        public var version: VersionPreference

        public init(
            method: HTTPRequest.Method = .get, url: String, headerFields: HTTPFields = [:], timeout: Duration? = nil,
            body: [UInt8]? = nil, trustedCAFile: String? = nil, acceptEncoding: String? = nil,
            version: VersionPreference = .negotiated
        ) {
            self.method = method
            self.url = url
            self.headerFields = headerFields
            self.timeout = timeout
            self.body = body
            self.trustedCAFile = trustedCAFile
            self.acceptEncoding = acceptEncoding
            self.version = version
        }
    }

    public enum VersionPreference: Sendable {
        /// HTTP/2 when TLS negotiates it (ALPN), HTTP/1.1 otherwise.
        case negotiated
        /// HTTP/1.1 only.
        case http1
    }

    public struct Response: Sendable {
        public var head: HTTPResponse
        public var body: [UInt8]
        /// The HTTP major version the response came over: 1 or 2.
        public var majorVersion: Int

        public var status: HTTPResponse.Status { head.status }
        public var headerFields: HTTPFields { head.headerFields }
    }

    public struct Configuration: Sendable {
        public var timeout: Duration
        public var connectTimeout: Duration

        public init(timeout: Duration = .seconds(5), connectTimeout: Duration = .seconds(2)) {
            self.timeout = timeout
            self.connectTimeout = connectTimeout
        }
    }

    private let driver: CurlDriver

    /// One client for the whole process, with the default configuration: what the upstreams of
    /// one process share, so that they share one thread and one pool of connections. Never shut down.
    public static let shared = CurlHTTPClient()

    public init(configuration: Configuration = .init()) {
        self.driver = CurlDriver(configuration: configuration)
    }

    /// Asks the driver thread to stop without waiting for it (a `deinit` may run on any
    /// thread, Swift concurrency's pool included, so it must not block).
    deinit {
        driver.requestStop()
    }

    /// Performs the request. Throws `CurlError` when no HTTP response arrived (refused,
    /// timed out, shut down); any HTTP status, 5xx included, is a response.
    public func execute(_ request: Request) async throws -> Response {
        let box = TransferBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let transfer = CurlTransfer(request: request, continuation: continuation)
                guard !Task.isCancelled else { return transfer.finish(.failure(CurlError.cancelled)) }
                box.transfer = transfer
                driver.submit(transfer)
            }
        } onCancel: {
            if let transfer = box.transfer { driver.cancel(transfer) }
        }
    }

    /// Hands the transfer to the cancellation handler, which may run on another thread.
    private final class TransferBox: Sendable {
        private let value = Mutex<CurlTransfer?>(nil)
        var transfer: CurlTransfer? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    /// Stops the driver thread and returns once it is gone; transfers still running fail with
    /// `CurlError.shutdown`.
    public func shutdown() async {
        await driver.shutdown()
    }
}

/// A transfer that produced no HTTP response.
public struct CurlError: Error, Hashable, CustomStringConvertible {
    /// libcurl's `CURLcode`, or -1 when the client was shut down.
    public var code: Int
    public var message: String

    public static let shutdown = CurlError(code: -1, message: "the HTTP client was shut down")
    public static let cancelled = CurlError(code: -2, message: "the request was cancelled")

    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
    public var description: String { "curl error \(code): \(message)" }
}

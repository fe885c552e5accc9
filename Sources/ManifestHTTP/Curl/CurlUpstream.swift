import HTTPTypes
import NIOCore

/// The next hop over HTTP, through libcurl: connections are kept alive and reused, and every
/// fetch has a deadline.
public struct CurlUpstream: Upstream {
    public let baseURL: String
    public let timeout: Duration
    /// For an `https://` upstream with a private CA: the PEM file of the CAs to trust.
    public let trustedCAFile: String?
    private let client: CurlHTTPClient

    /// `baseURL` without a trailing slash, such as `http://127.0.0.1:8081` or
    /// `https://origin.internal` (certificate verified, against `trustedCAFile` when given, the
    /// system's CAs otherwise). Upstreams share the process's client (one thread, one connection
    /// pool) unless given their own.
    public init(
        baseURL: String, timeout: Duration = .seconds(2), trustedCAFile: String? = nil,
        client: CurlHTTPClient = .shared
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.trustedCAFile = trustedCAFile
        self.client = client
    }

    public func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        try await execute(
            .init(url: baseURL + path, headerFields: headerFields, timeout: timeout, trustedCAFile: trustedCAFile))
    }

    public func send(
        _ method: HTTPRequest.Method, _ path: String, headerFields: HTTPFields, body: ByteBuffer
    ) async throws(UpstreamError) -> UpstreamResponse {
        try await execute(
            .init(
                method: method, url: baseURL + path, headerFields: headerFields, timeout: timeout,
                body: Array(body.readableBytesView), trustedCAFile: trustedCAFile))
    }

    private func execute(_ request: CurlHTTPClient.Request) async throws(UpstreamError) -> UpstreamResponse {
        do {
            let response = try await client.execute(request)
            return UpstreamResponse(
                status: response.status, headerFields: response.headerFields, body: ByteBuffer(bytes: response.body))
        } catch let error as CurlError where error.isTimeout {
            throw .timeout
        } catch {
            throw .unreachable("\(error)")
        }
    }
}

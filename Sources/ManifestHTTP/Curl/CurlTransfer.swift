import CCurl
import Foundation
import HTTPTypes

/// One request in flight: its options, the bytes received so far, and who waits for it.
/// Touched only by the driver thread between `configure` and `complete`.
final class CurlTransfer: @unchecked Sendable {
    private let request: CurlHTTPClient.Request
    private let continuation: CheckedContinuation<CurlHTTPClient.Response, any Error>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var status: HTTPResponse.Status?
    private var fields = HTTPFields()
    private var body: [UInt8] = []

    init(request: CurlHTTPClient.Request, continuation: CheckedContinuation<CurlHTTPClient.Response, any Error>) {
        self.request = request
        self.continuation = continuation
    }

    func configure(_ easy: UnsafeMutableRawPointer, defaults: CurlHTTPClient.Configuration) {
        let context = Unmanaged.passRetained(self).toOpaque()
        _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url)
        _ = ccurl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout ?? defaults.timeout))
        _ = ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(defaults.connectTimeout))
        _ = ccurl_easy_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, onBody)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = ccurl_easy_setopt_write_function(easy, CURLOPT_HEADERFUNCTION, onHeader)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        switch request.method {
        case .get: _ = ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case .head: _ = ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        default: _ = ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        if let body = request.body {
            // libcurl copies the bytes (COPYPOSTFIELDS), so they need not outlive this call.
            _ = ccurl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
            var bytes = body.isEmpty ? [0] : body
            bytes.withUnsafeMutableBytes { _ = ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        }
        if let trustedCAFile = request.trustedCAFile {
            _ = ccurl_easy_setopt_string(easy, CURLOPT_CAINFO, trustedCAFile)
        }
        if let acceptEncoding = request.acceptEncoding {
            _ = ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, acceptEncoding)
        }
        let version = request.version == .http1 ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS
        _ = ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(version))
        for field in request.headerFields {
            headerList = curl_slist_append(headerList, "\(field.name.rawName): \(field.value)")
        }
        // An empty Expect stops libcurl from adding its own; requests here carry no body anyway.
        headerList = curl_slist_append(headerList, "Expect:")
        _ = ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
    }

    /// Called by the driver when libcurl is done with the transfer, with `nil` when the
    /// driver stops it first (shut down, or cancelled: then `error` says which).
    func complete(_ easy: UnsafeMutableRawPointer, result: CURLcode?, error: CurlError = .shutdown) {
        Unmanaged.passUnretained(self).release()
        curl_slist_free_all(headerList)
        headerList = nil
        guard let result else { return finish(.failure(error)) }
        guard result == CURLE_OK, let status else {
            let message = String(cString: curl_easy_strerror(result))
            return finish(.failure(CurlError(code: Int(result.rawValue), message: message)))
        }
        var version = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        let response = CurlHTTPClient.Response(
            head: HTTPResponse(status: status, headerFields: fields), body: body,
            majorVersion: version == Int(CURL_HTTP_VERSION_2_0) ? 2 : 1)
        finish(.success(response))
    }

    func finish(_ result: Result<CurlHTTPClient.Response, any Error>) {
        continuation.resume(with: result)
    }

    fileprivate func receiveHeader(_ line: Substring) {
        if line.hasPrefix("HTTP/") {
            // A new response (after a 100 Continue, say): forget the previous one's fields.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count >= 2 ? Int(parts[1]).map { HTTPResponse.Status(code: $0) } : nil
            fields = HTTPFields()
            return
        }
        guard let colon = line.firstIndex(of: ":"),
            let name = HTTPField.Name(String(line[..<colon]))
        else { return }
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        fields.append(HTTPField(name: name, value: value))
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
}

private let onBody: ccurl_write_callback = { data, size, count, context in
    transfer(context).receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

private let onHeader: ccurl_write_callback = { data, size, count, context in
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
    if !line.isEmpty { transfer(context).receiveHeader(Substring(line)) }
    return size * count
}

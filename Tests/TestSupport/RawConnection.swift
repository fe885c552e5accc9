import Foundation

/// A raw TCP connection to 127.0.0.1 for tests of connection handling: send bytes as they
/// are, shut the write side, and read until the server closes. Blocking socket calls run on a
/// Dispatch queue, never on the two-thread Swift concurrency pool the servers also need.
package final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    package init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit {
        close(descriptor)
    }

    /// Sends `text` as bytes; false when the server already closed.
    @discardableResult
    package func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            == bytes.count
    }

    /// Shuts the write side (a half-close): the server reads the end of the stream.
    package func shutdownWrite() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads until `count` whole responses framed by `Content-Length` have arrived, or `limit`
    /// passes, and returns each as text (head and body).
    package func readResponses(_ count: Int, limit: Duration = .seconds(30)) async -> [String] {
        let descriptor = self.descriptor
        return await onOwnThread {
            let deadline = ContinuousClock.now + limit
            var received: [UInt8] = []
            var responses: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while responses.count < count && ContinuousClock.now < deadline {
                while responses.count < count, let length = Self.completeLength(received) {
                    responses.append(String(decoding: received[0..<length], as: UTF8.self))
                    received.removeFirst(length)
                }
                guard responses.count < count else { break }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 50) > 0 else { continue }
                let got = recv(descriptor, &buffer, buffer.count, 0)
                if got <= 0 { break }
                received += buffer[0..<got]
            }
            return responses
        }
    }

    /// The length of the whole response at the start of `bytes`, when it has all arrived.
    private static func completeLength(_ bytes: [UInt8]) -> Int? {
        let separator = Array("\r\n\r\n".utf8)
        guard
            let end = (0...max(0, bytes.count - 4)).first(where: {
                bytes.count >= 4 && Array(bytes[$0..<$0 + 4]) == separator
            })
        else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        let length =
            head.split(separator: "\r\n").lazy.compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        let total = end + 4 + length
        return bytes.count >= total ? total : nil
    }

    /// Reads until the server closes the connection (true) or `limit` passes (false), and
    /// returns what arrived.
    package func readUntilClosed(limit: Duration = .seconds(30)) async -> (text: String, closed: Bool) {
        let descriptor = self.descriptor
        return await onOwnThread {
            let deadline = ContinuousClock.now + limit
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            var closed = false
            while ContinuousClock.now < deadline {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 50) > 0 else { continue }
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count <= 0 {
                    closed = true
                    break
                }
                received += buffer[0..<count]
            }
            return (String(decoding: received, as: UTF8.self), closed)
        }
    }
}

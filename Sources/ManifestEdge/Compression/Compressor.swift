import CBrotli
import CompressNIO
import NIOCore

/// Compresses a stored response's body once, when it is stored, so that hits only choose.
///
/// Levels: gzip 6 (zlib's default) and Brotli quality 6, Brotli's balance of ratio and
/// speed: a miss pays the compression (about a millisecond for a manifest), every hit after it
/// is free.
enum Compressor {
    static let gzipLevel: Int32 = 6
    static let brotliQuality: Int32 = 6

    /// The body in `coding`, or nil when compressing fails or does not make it smaller.
    ///
    /// The encoders write into a buffer sized for the worst case (larger than the input); the
    /// bytes returned are a copy of exactly the right size, or every entry would keep that slack
    /// for its lifetime.
    static func compress(_ body: ByteBuffer, with coding: ContentCoding) -> [UInt8]? {
        let compressed: ByteBuffer?
        switch coding {
        case .gzip: compressed = gzip(body)
        case .br: compressed = brotli(body)
        }
        guard let compressed, compressed.readableBytes < body.readableBytes else { return nil }
        return Array(compressed.readableBytesView)
    }

    private static func gzip(_ body: ByteBuffer) -> ByteBuffer? {
        var input = body
        return try? input.compress(with: .gzip(configuration: .init(compressionLevel: gzipLevel)))
    }

    private static func brotli(_ body: ByteBuffer) -> ByteBuffer? {
        var output = ByteBuffer()
        let bound = BrotliEncoderMaxCompressedSize(body.readableBytes)
        guard bound > 0 else { return nil }
        let succeeded = body.withUnsafeReadableBytes { input in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { buffer in
                var size = buffer.count
                let result = BrotliEncoderCompress(
                    brotliQuality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, input.count,
                    input.bindMemory(to: UInt8.self).baseAddress, &size,
                    buffer.bindMemory(to: UInt8.self).baseAddress)
                return result == BROTLI_TRUE ? size : 0
            } > 0
        }
        return succeeded ? output : nil
    }
}

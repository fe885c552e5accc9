import NIOCore
import NIOHTTP1

/// Writes HTTP/1.1 responses in place of NIO's `HTTPResponseEncoder`, so that a head the edge
/// serialised itself (most of it once, when the response was stored) goes out as it is.
///
/// NIO's response parts can carry a head only as `HTTPHeaders`, which would mean building and
/// writing every stored field again on every hit. So `EdgeHTTPHandler` hands this encoder the
/// head's bytes (`stage`) just before it writes the `.head` part, and the part itself goes
/// through the pipeline as usual: NIO's pipelining and error handlers still see every response
/// begin and end. The part's own fields, those a handler on the way added (`Connection: close`
/// during a graceful stop), follow the staged bytes, and the staged content (a stored
/// representation's) follows the head in the same buffer: one write for the whole response.
///
/// A head that was not staged (the 400 NIO's protocol error handler writes) is written from its
/// fields. Responses are framed by `Content-Length`, which the edge always knows; a body part
/// is written as it is, never chunked.
final class HTTP1ResponseEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = IOData

    private var staged: ByteBuffer?
    private var stagedContent: [UInt8]?

    /// The status line and fields of the next `.head` written, without the empty line that ends
    /// it, and the content to send after it (or none, and `.body` parts carry it).
    func stage(_ head: ByteBuffer, content: [UInt8]?) {
        staged = head
        stagedContent = content
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            // Taken, so that the buffer is uniquely held and the last lines go in after its bytes.
            var bytes: ByteBuffer
            if let staged = staged.take() {
                bytes = staged
            } else {
                bytes = context.channel.allocator.buffer(capacity: 256)
                bytes.writeStatusLine(.init(code: Int(head.status.code), reasonPhrase: head.status.reasonPhrase))
            }
            for (name, value) in head.headers {
                bytes.writeString(name)
                bytes.writeStaticString(": ")
                bytes.writeString(value)
                bytes.writeStaticString("\r\n")
            }
            bytes.writeStaticString("\r\n")
            if let content = stagedContent.take() { bytes.writeBytes(content) }
            context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        case .body(let body):
            context.write(wrapOutboundOut(body), promise: promise)
        case .end:
            // Nothing to write; an empty write keeps the promise in order with the bytes before it.
            guard let promise else { return }
            context.write(wrapOutboundOut(.byteBuffer(context.channel.allocator.buffer(capacity: 0))), promise: promise)
        }
    }
}

import Glibc
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Turns a response marked `Lunet-Sandbox-Fault: reset` (or `reset-after`)
/// into a TCP reset: the connection closes with RST and no byte of the
/// response is written, which is what a crashed server or a dropping proxy
/// looks like to a client. A route cannot do this itself (Hummingbird turns
/// thrown errors into 500s), so the fault layer marks the response and this
/// handler, in each connection's pipeline, acts on the mark.
final class ConnectionResetHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var resetting = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !resetting, case .head(let head) = unwrapOutboundIn(data),
            let fault = head.headerFields[.sandboxFault], fault == "reset" || fault == "reset-after"
        {
            resetting = true
            // SO_LINGER with a zero timeout makes close() send RST instead of
            // FIN. On the event loop this takes effect before the close below.
            _ = (context.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
            context.close(mode: .all, promise: nil)
        }
        if resetting {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }
}

import Foundation
import LunetRuntime

/// The API key, sent only to the API itself: URLs on the base URL's origin
/// whose path is below `<base path>/api/`. Anything else — above all the
/// pre-signed storage link a file download is redirected to — never sees
/// it, even on the same host (the real storage links are on the tenant's
/// own host, `https://<tenant>.coredata.is/laika/…`, and S3 refuses a
/// request that carries a second credential). The engine's own rule only
/// drops credentials when a redirect changes origin, which is not enough
/// here.
struct CoreDataKey: AuthProvider {
    let credential: HeaderCredential
    let origin: (scheme: String, host: String, port: Int?)
    let apiPrefix: String

    init(credential: HeaderCredential, base: URL) {
        self.credential = credential
        origin = Self.origin(of: base)
        var path = base.path
        while path.hasSuffix("/") { path.removeLast() }
        apiPrefix = path + "/api/"
    }

    func covers(_ url: URL) -> Bool {
        let o = Self.origin(of: url)
        return o.scheme == origin.scheme && o.host == origin.host && o.port == origin.port
            && url.path.hasPrefix(apiPrefix)
    }

    func authorize(_ request: inout HTTPRequest) async throws {
        if covers(request.url) {
            try await credential.authorize(&request)
        } else {
            request.headers.remove(credential.name)
        }
    }

    func invalidate(request: HTTPRequest, response: HTTPResponse) async -> Bool { false }

    private static func origin(of url: URL) -> (scheme: String, host: String, port: Int?) {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil)
        return (scheme, url.host?.lowercased() ?? "", port)
    }
}

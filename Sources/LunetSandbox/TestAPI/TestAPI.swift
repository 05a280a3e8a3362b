import Foundation
import HTTPTypes
import Hummingbird
import LunetJSON

/// `/test/…`: a small API for testing the HTTP engine and for benchmarks —
/// echo, arbitrary statuses, flaky and slow endpoints, gzip, paging,
/// redirects, a storage endpoint that refuses credentials, an OAuth token
/// endpoint with refresh-token rotation, a protected resource, multipart
/// uploads and deterministic downloads. State is in memory (`state`).
public struct TestAPI: SandboxModule {
    public let prefix = "test"
    public let state: TestAPIState
    public let oauth: OAuthSettings

    public struct OAuthSettings: Sendable {
        /// nil: any client id is accepted.
        public var clientID: String?
        /// nil: no secret required.
        public var clientSecret: String?
        /// username → password for `grant_type=password`.
        public var users: [String: String]
        /// Whether the password grant also issues a refresh token (iCONECT's
        /// does not).
        public var passwordIssuesRefreshToken: Bool

        public init(
            clientID: String? = nil, clientSecret: String? = nil, users: [String: String] = ["alice": "wonderland"],
            passwordIssuesRefreshToken: Bool = false
        ) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.users = users
            self.passwordIssuesRefreshToken = passwordIssuesRefreshToken
        }
    }

    public init(state: TestAPIState = TestAPIState(), oauth: OAuthSettings = OAuthSettings()) {
        self.state = state
        self.oauth = oauth
    }

    public func register(on group: RouterGroup<SandboxContext>) {
        registerBasics(on: group)
        registerPaging(on: group)
        registerTransfers(on: group)
        registerOAuth(on: group)
    }

    public func reset() async { state.reset() }

    /// The test API has no data sets; every seed is a no-op for it.
    public func seed(_ name: String) async throws {}

    // MARK: Helpers shared by the route files

    static func json(_ value: JSONValue, status: Int = 200, headers: HTTPFields = [:]) -> Response {
        let bytes = value.serialized()
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(bytes.count)
        return Response(
            status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Query parameters decoded as forms are (`+` is a space), names too.
    static func query(_ request: Request) -> [(String, String)] {
        formFields(request.uri.query ?? "")
    }

    static func query(_ request: Request, _ name: String) -> String? {
        query(request).first { $0.0 == name }?.1
    }

    static func int(_ request: Request, _ name: String) -> Int? {
        query(request, name).flatMap { Int($0) }
    }

    static func formFields(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }
}

import Foundation
import LunetRuntime

/// Minimal auth seam for the binding (the full version, with the
/// authorization-code and refresh-token grants and the credential store,
/// replaces this file): `token` → bearer; `grant = "password"` → the
/// password grant, re-run on expiry and once after a 401.
public enum IConectAuth {
    public static func provider(_ options: ResolvedOptions, _ context: ConnectContext, tokenURL: URL) throws
        -> any AuthProvider
    {
        let engine = context.engine
        if let token = options.string("token") { return HeaderCredential.bearer(token, redactor: engine.redactor) }
        let grant = options.string("grant") ?? "password"
        guard grant == "password" else {
            throw ConfigError("iconect: grant '\(grant)' is not supported by this build (known: password; or give token)")
        }
        guard let username = options.string("username"), let password = options.string("password") else {
            throw ConfigError("iconect: grant 'password' needs username and password (or ICONECT_USERNAME, ICONECT_PASSWORD)")
        }
        let client = OAuth2Client(
            tokenURL: tokenURL, clientID: options.string("client_id"), clientSecret: options.string("client_secret"),
            scope: options.string("scope") ?? "openid iconect_api", api: .iconect, engine: engine)
        return OAuth2Provider(client: client, mode: .password(username: username, password: password))
    }
}

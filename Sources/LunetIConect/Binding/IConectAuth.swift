import Foundation
import LunetJSON
import LunetRuntime

/// How an iCONECT connection signs in (docs/iconect-auth.md). The identity
/// provider is OpenID Connect at `identity_url`; its token endpoint
/// (route "identity.token") serves three grants:
///
/// - `token`: a ready access token, sent as is (a 401 is final);
/// - `grant = "password"`: username and password; the server issues no
///   refresh token, so the grant is run again when the token nears expiry;
/// - `grant = "refresh_token"`: start from `refresh_token`; each refresh
///   token is single use, and the rotated one is written to the credential
///   store (under its cross-process lock) before the new access token is used;
/// - `grant = "authorization_code"`: the tokens `lunet login iconect` stored,
///   refreshed (and rotated) the same way.
///
/// Without `grant`: `refresh_token` when one is given, else `password` when
/// username and password are.
public enum IConectAuth {
    public static let defaultScope = "openid iconect_api"
    public static let grants = ["password", "authorization_code", "refresh_token"]

    public static func provider(_ options: ResolvedOptions, _ context: ConnectContext, tokenURL: URL) throws
        -> any AuthProvider
    {
        let engine = context.engine
        if let token = options.string("token"), options.string("grant") == nil {
            return HeaderCredential.bearer(token, redactor: engine.redactor)
        }
        let grant = try grantName(options)
        guard let clientID = options.string("client_id") else {
            throw ConfigError("iconect: grant '\(grant)' needs option 'client_id' (or ICONECT_CLIENT_ID)")
        }
        let client = OAuth2Client(
            tokenURL: tokenURL, clientID: clientID, clientSecret: options.string("client_secret"),
            scope: options.string("scope") ?? defaultScope, api: .iconect, engine: engine)
        let key = credentialKey(profile: context.profile)
        switch grant {
        case "password":
            guard let username = options.string("username"), let password = options.string("password") else {
                throw ConfigError("iconect: grant 'password' needs options 'username' and 'password' (or ICONECT_USERNAME, ICONECT_PASSWORD)")
            }
            return OAuth2Provider(client: client, mode: .password(username: username, password: password))
        case "refresh_token":
            guard let refresh = options.string("refresh_token") else {
                throw ConfigError("iconect: grant 'refresh_token' needs option 'refresh_token' (or ICONECT_REFRESH_TOKEN)")
            }
            return OAuth2Provider(client: client, mode: .refreshToken(refresh), store: context.credentials, key: key)
        default:  // authorization_code
            let entry: CredentialEntry?
            do { entry = try context.credentials.entry(key) } catch {
                throw ConfigError("iconect: cannot read the stored login (\(context.credentials.path)): \(error)")
            }
            guard let entry, entry.refreshToken != nil || entry.tokens != nil else {
                throw ConfigError(
                    "iconect: grant 'authorization_code' uses the tokens of `lunet login iconect`, and profile '\(context.profile)' has none; run `lunet login iconect --profile \(context.profile)`")
            }
            return OAuth2Provider(client: client, mode: .storedTokens, store: context.credentials, key: key)
        }
    }

    /// The grant asked for, or the one the options imply.
    static func grantName(_ options: ResolvedOptions) throws -> String {
        if let grant = options.string("grant") {
            guard grants.contains(grant) else {
                throw ConfigError(
                    "iconect: unknown grant '\(grant)'; use one of: \(grants.joined(separator: ", ")) (or option 'token')")
            }
            return grant
        }
        if options.string("refresh_token") != nil { return "refresh_token" }
        if options.string("username") != nil || options.string("password") != nil { return "password" }
        throw ConfigError(
            "iconect: no credentials: give grant = \"password\" with username and password, grant = \"refresh_token\" with refresh_token, grant = \"authorization_code\" after `lunet login iconect`, or token")
    }

    /// Where `lunet login iconect` and the refresh grants keep tokens.
    public static func credentialKey(profile: String) -> CredentialKey {
        CredentialKey(service: "iconect", profile: profile)
    }

    /// A route's URL below `identity_url`, honouring a profile's `routes`
    /// override ("METHOD /path"): the binding's one definition.
    public static func identityURL(_ options: ResolvedOptions, route: String) throws -> URL {
        try IConectBinding.identityURL(route, options)
    }

    /// The sign-in `lunet login iconect` runs: authorize at
    /// "identity.authorize", redeem at "identity.token", with PKCE.
    public static func loginFlow(_ options: ResolvedOptions, engine: HTTPEngine, redirectURI: String, loginHint: String? = nil)
        throws -> AuthorizationCodeFlow
    {
        guard let clientID = options.string("client_id") else {
            throw ConfigError("iconect: `lunet login iconect` needs option 'client_id' (or ICONECT_CLIENT_ID)")
        }
        let client = OAuth2Client(
            tokenURL: try identityURL(options, route: "identity.token"), clientID: clientID,
            clientSecret: options.string("client_secret"), api: .iconect, engine: engine)
        return AuthorizationCodeFlow(
            authorizeURL: try identityURL(options, route: "identity.authorize"), client: client, redirectURI: redirectURI,
            scope: options.string("scope") ?? defaultScope,
            extra: loginHint.map { [QueryItem("login_hint", $0)] } ?? [])
    }
}

import Foundation
import LunetJSON

/// The one place that decides what is secret in HTTP traffic. Traces, error
/// URLs and messages all pass through it.
///
/// Two mechanisms: names (headers, query and form fields, JSON members that
/// carry secrets by their name) and values (every credential the process
/// handles is registered, so it is masked wherever it turns up, say in a
/// server's error message that echoes it). The two feed each other: a
/// value masked because of its name is registered too, so a server that
/// echoes it back (in a body, an error) does not reveal it either.
public final class Redactor: Sendable {
    public static let mask = "••••"
    private static let encodedMask = String(repeating: "%E2%80%A2", count: 4)

    /// Secret field names (query, form, JSON bodies, log fields, config
    /// options), compared lowercased with '_' and '-' removed (so
    /// `accessToken` matches `access_token`). Suffixes catch `dbPassword`,
    /// `webhook_secret`, `x_refresh_token`, but not `changeToken` or
    /// `nextPageToken`, which are positions, not credentials.
    static let secretFields: Set<String> = [
        "password", "passwd", "secret", "clientsecret", "token", "accesstoken", "refreshtoken", "idtoken",
        "apikey", "key", "authorization", "cookie", "privatekey", "codeverifier",
    ]
    static let secretSuffixes = ["password", "secret", "accesstoken", "refreshtoken", "idtoken", "apikey"]
    /// Secret only as a query or form field: the OAuth authorization code.
    /// In a JSON body or a log line, `code` is usually an error code.
    static let secretFormFields: Set<String> = ["code"]
    static let secretHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]

    private let secrets = LockedValue<Set<String>>([])

    public init() {}

    /// A process-wide instance: credentials registered by any connection are
    /// masked in every trace.
    public static let shared = Redactor()

    /// Mask `value` wherever it appears from now on. Short values are
    /// ignored: masking "a" would garble every message.
    public func register(secret value: String?) {
        guard let value, value.count >= 6 else { return }
        secrets.withLock { _ = $0.insert(value) }
    }

    public static func isSecretField(_ name: String) -> Bool {
        let folded = fold(name)
        return secretFields.contains(folded) || secretSuffixes.contains { folded.hasSuffix($0) }
    }

    static func isSecretFormField(_ name: String) -> Bool {
        isSecretField(name) || secretFormFields.contains(fold(name))
    }

    private static func fold(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    public static func isSecretHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretHeaders.contains(lower) || lower.contains("token") || lower.contains("secret")
            || lower.contains("key")
    }

    /// Text with every registered secret masked.
    public func scrub(_ text: String) -> String {
        let known = secrets.current
        guard !known.isEmpty else { return text }
        var out = text
        // Longest first, so a secret containing another is masked whole.
        for secret in known.sorted(by: { $0.count > $1.count }) where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.mask)
        }
        return out
    }

    /// A header value fit for a log: `Bearer ••••`, keeping the scheme word
    /// because it helps and reveals nothing.
    public func header(_ name: String, _ value: String) -> String {
        guard Self.isSecretHeader(name) else { return scrub(value) }
        let lower = name.lowercased()
        if lower == "authorization" || lower == "proxy-authorization", let space = value.firstIndex(of: " ") {
            register(secret: String(value[value.index(after: space)...]))
            return String(value[..<space]) + " " + Self.mask
        }
        register(secret: value)
        return Self.mask
    }

    /// A URL with secret query values and any password masked.
    public func url(_ url: URL) -> String { self.url(url.absoluteString) }

    public func url(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return scrub(text) }
        if components.password != nil { components.password = Self.mask }
        if let items = components.percentEncodedQueryItems {
            components.percentEncodedQueryItems = items.map { item in
                guard Self.isSecretFormField(item.name.removingPercentEncoding ?? item.name), let value = item.value else {
                    return item
                }
                register(secret: value.removingPercentEncoding ?? value)
                return URLQueryItem(name: item.name, value: Self.encodedMask)
            }
        }
        return scrub((components.string ?? text).replacingOccurrences(of: "%E2%80%A2", with: "•"))
    }

    /// Form fields as `{name=value, …}` with secrets masked.
    public func form(_ fields: [QueryItem]) -> String {
        "{" + fields.map { field in
            guard Self.isSecretFormField(field.name) else { return "\(field.name)=\(scrub(field.value))" }
            register(secret: field.value)
            return "\(field.name)=\(Self.mask)"
        }.joined(separator: ", ") + "}"
    }

    /// JSON with secret members masked at any depth.
    public func json(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object {
                if Self.isSecretField(key), member != .null, member.object == nil, member.array == nil {
                    if let text = member.string { register(secret: text) }
                    out[key] = .string(Self.mask)
                } else {
                    out[key] = json(member)
                }
            }
            return .object(out)
        case .array(let items): return .array(items.map(json))
        case .string(let s): return .string(scrub(s))
        default: return value
        }
    }
}

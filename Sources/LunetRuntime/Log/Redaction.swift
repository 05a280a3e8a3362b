import LunetJSON

/// Which field names hold secrets, for logs, traces and `lunet profiles`.
/// The same rule as the REPL's inspect (stdlib/lunet/inspect.lua), plus
/// `key`: the name lowercased without '_' and '-' is one of the names
/// below, or ends in "password", "secret" or "token".
public enum SecretNames {
    public static let redacted = "••••"

    private static let names: Set<String> = [
        "password", "passwd", "secret", "clientsecret", "token", "accesstoken", "refreshtoken", "idtoken",
        "apikey", "authorization", "cookie", "privatekey", "codeverifier", "key",
    ]

    public static func isSecret(_ name: String) -> Bool {
        let folded = String(name.lowercased().filter { $0 != "_" && $0 != "-" })
        return names.contains(folded) || folded.hasSuffix("password") || folded.hasSuffix("secret")
            || folded.hasSuffix("token")
    }

    /// `value` with every member under a secret-looking name, at any depth,
    /// replaced by "••••" (null stays null: it reveals nothing).
    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object {
                out[key] = isSecret(key) && member != .null ? .string(redacted) : redact(member)
            }
            return .object(out)
        case .array(let items):
            return .array(items.map(redact))
        default:
            return value
        }
    }
}

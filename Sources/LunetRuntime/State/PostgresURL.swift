import Foundation

/// A `postgres://user:password@host:port/database?sslmode=…` state location,
/// parsed. The password is a secret: `redacted` (used in every message)
/// replaces it, and parsing registers it with the process-wide Redactor so
/// it is masked in traces and errors too.
struct PostgresURL: Sendable, Equatable {
    enum TLSMode: String, Sendable { case disable, prefer, require, verify }

    var user: String
    var password: String?
    var host: String
    var port: Int
    var database: String
    var tls: TLSMode
    /// The URL as given with the password masked.
    var redacted: String

    static let knownParameters = ["sslmode"]

    /// Parse `text`; errors name the problem and show the URL redacted.
    init(_ text: String) throws(ConfigError) {
        let shown = StateLocation.redacted(text)
        func bad(_ problem: String) -> ConfigError { ConfigError("state location \(shown): \(problem)") }
        guard let scheme = text.range(of: "://"),
            ["postgres", "postgresql"].contains(text[..<scheme.lowerBound])
        else { throw bad("not a postgres:// URL") }
        var rest = Substring(text[scheme.upperBound...])
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var credentials: Substring? = nil
        if let at = rest.lastIndex(of: "@") {
            credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var user = "", password: String? = nil
        if let credentials {
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = String(parts[0]).removingPercentEncoding,
                let secret = parts.count > 1 ? String(parts[1]).removingPercentEncoding : ""
            else { throw bad("bad %-escape in the user or password") }
            user = name
            password = parts.count > 1 ? secret : nil
        }
        Redactor.shared.register(secret: password)
        if user.isEmpty { throw bad("missing user name (postgres://USER:PASSWORD@HOST/DATABASE)") }
        var host = String(rest), port = 5432
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw bad("unclosed '[' in the host") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = try Self.port(String(after.dropFirst()), bad) }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            port = try Self.port(String(host[host.index(after: colon)...]), bad)
            host = String(host[..<colon])
        }
        if host.isEmpty { throw bad("missing host") }
        guard let database = path.removingPercentEncoding, !database.isEmpty, !database.contains("/") else {
            throw bad("missing database name after the host (postgres://USER:PASSWORD@HOST/DATABASE)")
        }
        var tls = TLSMode.prefer
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1)
            let key = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            guard key == "sslmode" else {
                throw bad("unknown parameter '\(key)' (known: \(Self.knownParameters.joined(separator: ", ")))")
            }
            switch value {
            case "disable": tls = .disable
            case "allow", "prefer": tls = .prefer
            case "require": tls = .require
            case "verify-ca", "verify-full": tls = .verify
            default: throw bad("sslmode must be disable, prefer, require or verify-full, got '\(value)'")
            }
        }
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
        self.redacted = shown
    }

    private static func port(_ text: String, _ bad: (String) -> ConfigError) throws(ConfigError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw bad("bad port '\(text)'") }
        return port
    }

    /// "host:port" for messages.
    var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

import LunetJSON

/// The sandbox's users: built in, like its OAuth client, so that signing in
/// works on an empty (reset) sandbox too.
struct SandboxUser: Sendable {
    var id: Int64
    var username: String
    var password: String
    var firstName: String
    var lastName: String
    var email: String
    var description: String
    var readOnly: Bool

    static let all: [SandboxUser] = [
        SandboxUser(
            id: 1, username: IConectEmulator.sandboxCredentials.username,
            password: IConectEmulator.sandboxCredentials.password, firstName: "Sandra", lastName: "Box",
            email: "sandbox@example.com", description: "Sandbox administrator", readOnly: false),
        SandboxUser(
            id: 2, username: IConectEmulator.sandboxReviewerCredentials.username,
            password: IConectEmulator.sandboxReviewerCredentials.password, firstName: "Rita", lastName: "Viewer",
            email: "reviewer@example.com", description: "Read-only reviewer", readOnly: true),
    ]

    static func named(_ username: String) -> SandboxUser? { all.first { $0.username == username } }
    static func withID(_ id: Int64) -> SandboxUser? { all.first { $0.id == id } }

    /// The seed's User shape.
    var json: JSONValue {
        [
            "id": .integer(id), "username": .string(username), "first_name": .string(firstName),
            "last_name": .string(lastName), "phone_number": "555-0100", "email": .string(email),
            "description": .string(description), "state": 0,
        ]
    }
}

/// The OAuth client applications the identity provider knows.
struct SandboxOAuthClient: Sendable {
    var id: String
    var secret: String

    static let all = [
        SandboxOAuthClient(
            id: IConectEmulator.sandboxCredentials.clientID, secret: IConectEmulator.sandboxCredentials.clientSecret)
    ]

    static func withID(_ id: String) -> SandboxOAuthClient? { all.first { $0.id == id } }

    /// Loopback redirect URIs on any port (RFC 8252 §7.3), http or https.
    static func acceptsRedirect(_ uri: String) -> Bool {
        guard let components = URLParts(uri) else { return false }
        return ["http", "https"].contains(components.scheme)
            && ["127.0.0.1", "localhost", "[::1]", "::1"].contains(components.host)
    }
}

/// Scheme and host of a URI, without Foundation's URL quirks for "[::1]".
struct URLParts {
    var scheme: String
    var host: String

    init?(_ uri: String) {
        guard let colon = uri.range(of: "://") else { return nil }
        scheme = uri[..<colon.lowerBound].lowercased()
        let rest = uri[colon.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[...close])
        } else {
            host = String(authority.prefix { $0 != ":" }).lowercased()
        }
        guard !host.isEmpty else { return nil }
    }
}

import LunetJSON

/// The four APIs a profile can configure.
public enum ServiceName: String, CaseIterable, Sendable, Comparable {
    case icl, iconect, coredata, integrator

    public static func < (a: ServiceName, b: ServiceName) -> Bool { a.rawValue < b.rawValue }

    public var schema: ServiceSchema { ServiceSchema.of(self) }
}

/// One connection option: its type, whether it is a secret (shown as ••••),
/// and the environment variables that supply it (first set one wins).
public struct OptionSpec: Sendable {
    public enum Kind: String, Sendable { case string, integer, number, boolean, table }

    public let name: String
    public let kind: Kind
    public let isSecret: Bool
    public let environment: [String]

    public init(_ name: String, _ kind: Kind = .string, secret: Bool = false, env: [String] = []) {
        self.name = name
        self.kind = kind
        self.isSecret = secret
        self.environment = env
    }
}

/// The options a service accepts: checked in config files, environment
/// mode and `X.connect{…}` alike. A binding that grows an option adds it to
/// its service's list below, and nowhere else.
public struct ServiceSchema: Sendable {
    public let service: ServiceName
    public let options: [OptionSpec]

    public init(_ service: ServiceName, _ options: [OptionSpec]) {
        self.service = service
        self.options = options
    }

    public func option(_ name: String) -> OptionSpec? { options.first { $0.name == name } }
    public var optionNames: Set<String> { Set(options.map(\.name)) }
    /// "client_id, client_secret, password, …" for messages.
    public var knownList: String { options.map(\.name).sorted().joined(separator: ", ") }

    public static func of(_ service: ServiceName) -> ServiceSchema {
        switch service {
        case .icl: icl
        case .iconect: iconect
        case .coredata: coredata
        case .integrator: integrator
        }
    }

    public static let icl = ServiceSchema(.icl, [
        OptionSpec("url", env: ["ICL_URL"]),
        OptionSpec("client_id", env: ["ICL_CLIENT_ID"]),
        OptionSpec("client_secret", secret: true, env: ["ICL_CLIENT_SECRET"]),
        OptionSpec("username", env: ["ICL_USERNAME"]),
        OptionSpec("password", secret: true, env: ["ICL_PASSWORD"]),
        OptionSpec("token", secret: true, env: ["ICL_TOKEN"]),
        OptionSpec("timeout", .number),
        OptionSpec("retries", .integer),
    ])

    public static let iconect = ServiceSchema(.iconect, [
        OptionSpec("api_url", env: ["ICONECT_API_URL"]),
        OptionSpec("identity_url", env: ["ICONECT_IDENTITY_URL"]),
        OptionSpec("client_id", env: ["ICONECT_CLIENT_ID"]),
        OptionSpec("client_secret", secret: true, env: ["ICONECT_CLIENT_SECRET"]),
        OptionSpec("grant"),
        OptionSpec("username", env: ["ICONECT_USERNAME"]),
        OptionSpec("password", secret: true, env: ["ICONECT_PASSWORD"]),
        OptionSpec("refresh_token", secret: true, env: ["ICONECT_REFRESH_TOKEN"]),
        OptionSpec("token", secret: true, env: ["ICONECT_TOKEN"]),
        OptionSpec("scope"),
        OptionSpec("redirect_port", .integer),
        OptionSpec("chunk_size", .integer),
        OptionSpec("routes", .table),
        OptionSpec("timeout", .number),
        OptionSpec("retries", .integer),
    ])

    public static let coredata = ServiceSchema(.coredata, [
        OptionSpec("url", env: ["COREDATA_BASE_URL"]),
        OptionSpec("user", env: ["COREDATA_API_USER", "API_USER"]),
        OptionSpec("key", secret: true, env: ["COREDATA_API_KEY", "API_KEY"]),
        OptionSpec("timeout", .number),
        OptionSpec("retries", .integer),
    ])

    public static let integrator = ServiceSchema(.integrator, [
        OptionSpec("token", secret: true, env: ["INTEGRATOR_TOKEN"]),
        OptionSpec("region", env: ["INTEGRATOR_REGION"]),
        OptionSpec("url", env: ["INTEGRATOR_URL"]),
        OptionSpec("routes", .table),
        OptionSpec("timeout", .number),
        OptionSpec("retries", .integer),
    ])
}

extension OptionSpec.Kind {
    /// `value` as this kind, or nil. Text from the environment (or from
    /// `env "X"` in a config file) is accepted for numbers and booleans when
    /// it reads as one, since environment variables are always strings.
    public func accept(_ value: JSONValue) -> JSONValue? {
        switch (self, value) {
        case (.string, .string), (.boolean, .bool), (.integer, .integer), (.number, .integer), (.number, .double),
            (.table, .object), (.table, .array):
            return value
        case (.integer, .double(let d)) where d == d.rounded() && abs(d) < 9e18:
            return .integer(Int64(d))
        case (.integer, .string(let s)):
            return Int64(s.trimmingCharacters(in: .whitespaces)).map { .integer($0) }
        case (.number, .string(let s)):
            let t = s.trimmingCharacters(in: .whitespaces)
            if let i = Int64(t) { return .integer(i) }
            return Double(t).flatMap { $0.isFinite ? .double($0) : nil }
        case (.boolean, .string(let s)):
            switch s.lowercased() {
            case "true", "1", "yes", "on": return .bool(true)
            case "false", "0", "no", "off": return .bool(false)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// "a number" for messages.
    public var described: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "a boolean"
        case .table: "a table"
        }
    }
}

extension JSONValue {
    /// "string 'abc'", "table", "boolean true" for messages (never for
    /// secrets: callers pass redacted values).
    var describedForMessage: String {
        switch self {
        case .null: "null"
        case .bool(let b): "boolean \(b)"
        case .integer(let i): "integer \(i)"
        case .double(let d): "number \(d)"
        case .string(let s): "string '\(s.count > 40 ? String(s.prefix(40)) + "…" : s)'"
        case .array, .object: "table"
        }
    }
}

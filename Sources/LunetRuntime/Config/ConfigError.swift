import LunetBridge

/// A problem with the configuration: the config file, a profile, an
/// environment variable or a state location. The CLI exits with code 2;
/// raised in Lua (a script connecting with a bad profile) it is a plain
/// error message.
///
/// Messages name the file and the key: "config.lua: profiles.prod.icl:
/// unknown option 'clientid' (known: client_id, …)". One error may carry
/// several problems, one per line, so a config file is fixed in one pass.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(_ message: String) { problems = [message] }
    public init(problems: [String]) { self.problems = problems }

    public var message: String { problems.joined(separator: "\n") }
    public var description: String { message }
}

extension ConfigError: LuaRaisable {
    public func raise(in call: LuaCall) -> Int32 {
        LuaError.message("\(call.displayName): \(message)").raise(in: call)
    }
}

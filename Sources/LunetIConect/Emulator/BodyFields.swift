import LunetJSON

/// Reads members of a JSON request object with ASP.NET-style validation
/// messages ("The name field is required."), all as 400s. `context` names
/// the object in messages when a body holds several ("fields[2]").
struct BodyFields {
    let object: JSONObject
    var context = ""

    private func label(_ key: String) -> String { context.isEmpty ? key : "\(context).\(key)" }

    func has(_ key: String) -> Bool { object[key] != nil }

    func requiredString(_ key: String) throws -> String {
        guard let value = try string(key), !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw IConectError.badRequest("The \(label(key)) field is required.")
        }
        return value
    }

    /// The string, nil when absent or null; 400 for another type.
    func string(_ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw IConectError.badRequest("The \(label(key)) field must be a string.")
        }
    }

    func int(_ key: String) throws -> Int64? {
        switch object[key] {
        case nil, .null?: return nil
        case let value?:
            guard let number = value.integer else { throw IConectError.badRequest("The \(label(key)) field must be an integer.") }
            return number
        }
    }

    func requiredInt(_ key: String) throws -> Int64 {
        guard let value = try int(key) else { throw IConectError.badRequest("The \(label(key)) field is required.") }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw IConectError.badRequest("The \(label(key)) field must be true or false.")
        }
    }

    func ints(_ key: String) throws -> [Int64]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.map {
                guard let number = $0.integer else {
                    throw IConectError.badRequest("The \(label(key)) field must be an array of integers.")
                }
                return number
            }
        default: throw IConectError.badRequest("The \(label(key)) field must be an array of integers.")
        }
    }

    /// An object member, nil when absent or null.
    func nested(_ key: String) throws -> JSONObject? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw IConectError.badRequest("The \(label(key)) field must be an object.")
        }
    }

    /// An enumeration member: absent gives nil; a number outside it, 400.
    func member(_ key: String, of members: [Int64: String]) throws -> Int64? {
        guard let value = try int(key) else { return nil }
        guard members[value] != nil else {
            throw IConectError.badRequest(
                "The \(label(key)) field must be one of \(Enums.describe(members)); got \(value).")
        }
        return value
    }
}

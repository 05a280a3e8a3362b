import LunetJSON

/// How an API spells its errors: a function from the JSON body to the
/// server's code and message. Each binding picks its shape; the generic one
/// is always tried after it.
public struct ErrorShape: Sendable {
    public typealias Extracted = (code: String?, message: String?)
    public let name: String
    public let extract: @Sendable (JSONValue) -> Extracted?

    public init(_ name: String, extract: @escaping @Sendable (JSONValue) -> Extracted?) {
        self.name = name
        self.extract = extract
    }

    /// The first of `shapes` that recognises the body.
    public static func firstOf(_ shapes: ErrorShape...) -> ErrorShape {
        ErrorShape(shapes.map(\.name).joined(separator: "+")) { body in
            for shape in shapes { if let found = shape.extract(body) { return found } }
            return nil
        }
    }

    /// The shape for each API, with OAuth's (the token endpoints) behind it.
    public static func standard(for api: APIName) -> ErrorShape {
        switch api {
        case .icl: firstOf(abp, oauth)
        case .iconect: firstOf(iconect, oauth)
        case .coredata: firstOf(coreData, oauth)
        case .integrator: firstOf(integrator, oauth)
        default: firstOf(oauth, generic)
        }
    }

    /// ASP.NET Boilerplate (iCL): `{error: {code, message, details,
    /// validationErrors: [{message, members}]}}`. Validation messages are the
    /// useful part ("The field 'strasse' is required"), so when present they
    /// are the message; ABP's own message ("Your request is not valid!") is
    /// kept in `body`.
    public static let abp = ErrorShape("abp") { body in
        guard let error = body["error"]?.object else { return nil }
        let validation = (error["validationErrors"]?.array ?? []).compactMap { item -> String? in
            guard let text = item["message"]?.string else { return nil }
            let members = (item["members"]?.array ?? []).compactMap(\.string)
            let named = members.isEmpty || members.contains { text.localizedCaseInsensitiveContains($0) }
            return named ? text : "\(text) (\(members.joined(separator: ", ")))"
        }
        var message = validation.isEmpty ? error["message"]?.string : validation.joined(separator: "; ")
        if message == nil || message?.isEmpty == true { message = error["details"]?.string }
        guard message != nil || error["code"] != nil else { return nil }
        return (code: codeText(error["code"]), message: message)
    }

    /// iCONECT: `{"iconect_error": "message"}`.
    public static let iconect = ErrorShape("iconect") { body in
        guard let message = body["iconect_error"]?.string else { return nil }
        return (code: nil, message: message)
    }

    /// integrator.io: `{"errors": [{code, message, field}]}`; its 401 is a
    /// bare `{"message": …}`.
    public static let integrator = ErrorShape("integrator") { body in
        if let errors = body["errors"]?.array, !errors.isEmpty {
            let messages = errors.compactMap { e -> String? in
                guard let m = e["message"]?.string else { return nil }
                if let field = e["field"]?.string, !field.isEmpty, !m.contains(field) { return "\(field): \(m)" }
                return m
            }
            return (code: codeText(errors[0]["code"]), message: messages.isEmpty ? nil : messages.joined(separator: "; "))
        }
        if let message = body["message"]?.string { return (code: codeText(body["code"]), message: message) }
        return nil
    }

    /// CoreData: `{"error": "message"}` (assumed, wire.md).
    public static let coreData = ErrorShape("coredata") { body in
        guard let message = body["error"]?.string, body["error_description"] == nil else { return nil }
        return (code: nil, message: message)
    }

    /// OAuth 2 token endpoints (RFC 6749 §5.2): `{"error", "error_description"}`.
    public static let oauth = ErrorShape("oauth") { body in
        guard let code = body["error"]?.string else { return nil }
        return (code: code, message: body["error_description"]?.string ?? code)
    }

    /// What most other servers send: `message`, `error` (text or object),
    /// `detail`/`title` (RFC 9457), `errors[0].message`.
    public static let generic = ErrorShape("generic") { body in
        if let m = body["message"]?.string { return (code: codeText(body["code"]), message: m) }
        if let m = body["error"]?.string { return (code: nil, message: body["error_description"]?.string ?? m) }
        if let e = body["error"]?.object, let m = e["message"]?.string { return (code: codeText(e["code"]), message: m) }
        if let m = body["detail"]?.string ?? body["title"]?.string { return (code: codeText(body["type"]), message: m) }
        if let m = body["errors"]?[0]?["message"]?.string { return (code: codeText(body["errors"]?[0]?["code"]), message: m) }
        return nil
    }

    /// Codes arrive as text or numbers; ABP's "no code" is 0.
    static func codeText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s) where !s.isEmpty: return s
        case .integer(let i) where i != 0: return String(i)
        case .double(let d) where d != 0: return String(d)
        default: return nil
        }
    }
}

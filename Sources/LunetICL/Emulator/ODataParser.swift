import LunetJSON

/// Recursive-descent parser for OData v3 `$filter` expressions:
///   or-expr  := and-expr ("or" and-expr)*
///   and-expr := unary ("and" unary)*
///   unary    := "not" unary | comparison
///   comparison := primary (("eq"|"ne"|"gt"|"ge"|"lt"|"le") primary)?
///   primary  := literal | Property | function "(" args ")" | "(" or-expr ")"
struct ODataParser {
    static let functions: [String: Int] = [
        "substringof": 2, "startswith": 2, "endswith": 2, "tolower": 1, "toupper": 1,
        "trim": 1, "length": 1, "indexof": 2,
    ]
    static let comparisons: Set<String> = ["eq", "ne", "gt", "ge", "lt", "le"]

    let chars: [Character]
    var i = 0

    init(_ text: String) { chars = Array(text) }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.first, f.isLetter || f == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "/" }
    }

    func fail(_ message: String, at position: Int? = nil) -> ODataError {
        ODataError(message: "invalid $filter at character \((position ?? i) + 1): \(message)")
    }

    mutating func parseFilter() throws(ODataError) -> ODataExpression {
        let e = try parseOr()
        skipSpace()
        if i < chars.count { throw fail("unexpected '\(String(chars[i...].prefix(12)))'") }
        return e
    }

    mutating func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "+" { i += 1 } }

    /// A word (identifier) at the cursor, without consuming it.
    func peekWord() -> String? {
        var j = i
        var word = ""
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "/" {
            word.append(chars[j])
            j += 1
        }
        return word.isEmpty ? nil : word
    }

    mutating func keyword(_ k: String) -> Bool {
        skipSpace()
        guard peekWord() == k else { return false }
        i += k.count
        return true
    }

    mutating func parseOr() throws(ODataError) -> ODataExpression {
        var e = try parseAnd()
        while keyword("or") { e = .or(e, try parseAnd()) }
        return e
    }

    mutating func parseAnd() throws(ODataError) -> ODataExpression {
        var e = try parseUnary()
        while keyword("and") { e = .and(e, try parseUnary()) }
        return e
    }

    mutating func parseUnary() throws(ODataError) -> ODataExpression {
        if keyword("not") { return .not(try parseUnary()) }
        let left = try parsePrimary()
        skipSpace()
        if let op = peekWord(), Self.comparisons.contains(op) {
            i += op.count
            return .compare(op, left, try parsePrimary())
        }
        return left
    }

    mutating func parsePrimary() throws(ODataError) -> ODataExpression {
        skipSpace()
        guard i < chars.count else { throw fail("expression expected") }
        let c = chars[i]
        if c == "(" {
            i += 1
            let e = try parseOr()
            skipSpace()
            guard i < chars.count, chars[i] == ")" else { throw fail("')' expected") }
            i += 1
            return e
        }
        if c == "'" { return .literal(.string(try parseString())) }
        if c.isNumber || c == "-" { return .literal(try parseNumber()) }
        guard let word = peekWord() else { throw fail("unexpected '\(c)'") }
        let start = i
        i += word.count
        switch word {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null": return .literal(.null)
        case "datetime", "datetimeoffset", "guid":
            guard i < chars.count, chars[i] == "'" else { throw fail("\(word) literal needs a quoted value") }
            return .literal(.string(try parseString()))
        default: break
        }
        skipSpace()
        if i < chars.count, chars[i] == "(" {
            guard let arity = Self.functions[word] else { throw fail("unknown function '\(word)'", at: start) }
            i += 1
            var args: [ODataExpression] = []
            skipSpace()
            if i < chars.count, chars[i] != ")" {
                args.append(try parseOr())
                skipSpace()
                while i < chars.count, chars[i] == "," {
                    i += 1
                    args.append(try parseOr())
                    skipSpace()
                }
            }
            guard i < chars.count, chars[i] == ")" else { throw fail("')' expected after arguments of \(word)") }
            i += 1
            guard args.count == arity else {
                throw fail("\(word) takes \(arity) argument\(arity == 1 ? "" : "s"), got \(args.count)")
            }
            return .call(word, args)
        }
        guard let first = word.first, first.isUppercase else {
            throw fail("property '\(word)' must start with a capital letter (OData v3)", at: start)
        }
        return .property(word)
    }

    mutating func parseString() throws(ODataError) -> String {
        i += 1  // opening quote
        var s = ""
        while i < chars.count {
            if chars[i] == "'" {
                if i + 1 < chars.count, chars[i + 1] == "'" {
                    s.append("'")
                    i += 2
                    continue
                }
                i += 1
                return s
            }
            s.append(chars[i])
            i += 1
        }
        throw fail("unterminated string")
    }

    mutating func parseNumber() throws(ODataError) -> JSONValue {
        let start = i
        if chars[i] == "-" { i += 1 }
        while i < chars.count, chars[i].isNumber || chars[i] == "." || chars[i] == "e" || chars[i] == "E" { i += 1 }
        let text = String(chars[start..<i])
        // OData type suffixes: 10L, 1.5m, 2.0d, 3f
        if i < chars.count, "LlMmDdFf".contains(chars[i]) { i += 1 }
        if let n = Int64(text) { return .integer(n) }
        if let d = Double(text) { return .double(d) }
        throw fail("invalid number '\(text)'")
    }
}

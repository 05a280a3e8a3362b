import Foundation

/// One endpoint of an API: method and path template ("/api/content/{type}/{key}").
/// Every API keeps all its routes in one table (its `Routes` file), so an
/// assumed path is corrected in one place.
public struct Route: Sendable, Equatable {
    public var method: HTTPRequest.Method
    public var path: String

    public init(_ method: String, _ path: String) {
        self.method = HTTPRequest.Method(rawValue: method)
        self.path = path
    }

    /// "PUT /clients/{c}/activate" → Route
    public init?(spec: String) {
        let parts = spec.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[1].hasPrefix("/") else { return nil }
        self.init(parts[0], parts[1])
    }

    /// The path with each {name} replaced by its percent-encoded value.
    public func expand(_ params: [String: String]) throws(RouteError) -> String {
        var out = ""
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = params[name] else {
                throw RouteError("route \(method) \(path) needs a value for {\(name)}")
            }
            out += QueryItem.encode(value)
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

public struct RouteError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// An API's routes by name ("content.list"), overridable per profile.
public struct RouteTable: Sendable {
    public private(set) var routes: [String: Route]

    public init(_ routes: [String: Route]) { self.routes = routes }

    public subscript(name: String) -> Route? { routes[name] }

    /// Replace routes from a profile's `routes = { name = "METHOD /path" }`;
    /// unknown names and malformed specs are errors naming them.
    public func overriding(with specs: [String: String]) throws(RouteError) -> RouteTable {
        var copy = self
        for (name, spec) in specs.sorted(by: { $0.key < $1.key }) {
            guard routes[name] != nil else {
                throw RouteError("routes: unknown route '\(name)' (known: \(routes.keys.sorted().joined(separator: ", ")))")
            }
            guard let route = Route(spec: spec) else {
                throw RouteError("routes.\(name): '\(spec)' is not \"METHOD /path\"")
            }
            copy.routes[name] = route
        }
        return copy
    }
}

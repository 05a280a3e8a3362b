import Foundation

/// The `Link` response header (RFC 8288, formerly RFC 5988), as list APIs
/// use it for paging: `<https://…?skip=100&limit=100>; rel="next", <…>; rel="prev"`.
public enum LinkHeader {
    public struct Link: Sendable, Equatable {
        public var target: String
        /// The relation types, lowercased (`rel="next prev"` gives two).
        public var relations: [String]
    }

    /// Every link in `value` (several header lines may be joined with ",").
    /// Malformed entries are skipped; parameters other than `rel` are ignored.
    public static func parse(_ value: String) -> [Link] {
        var links: [Link] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let target = String(rest[rest.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: close)...]
            // Parameters run up to the next "," outside quotes.
            var params = ""
            var quoted = false
            var end = rest.endIndex
            for i in rest.indices {
                let c = rest[i]
                if c == "\"" { quoted.toggle() }
                if c == "," && !quoted { end = i; break }
                params.append(c)
            }
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            var relations: [String] = []
            for param in params.split(separator: ";") {
                let pair = param.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { continue }
                let raw = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                relations += raw.split(separator: " ").map { $0.lowercased() }
            }
            links.append(Link(target: target, relations: relations))
        }
        return links
    }

    /// The target of the first link with relation `rel` ("next"), resolved
    /// against `base` when relative.
    public static func target(_ rel: String, in value: String?, base: URL? = nil) -> String? {
        guard let value else { return nil }
        let wanted = rel.lowercased()
        guard let link = parse(value).first(where: { $0.relations.contains(wanted) }) else { return nil }
        if let base, URL(string: link.target)?.scheme == nil, let resolved = URL(string: link.target, relativeTo: base) {
            return resolved.absoluteString
        }
        return link.target
    }
}

import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// `GET /api/content[/{type}]/getchanges?changeToken=`: every item whose
/// latest change comes after the token, oldest first, 500 a page, deleted ones
/// included, answered bare as `{Results, NextChangeToken, NextLink}`.
/// When nothing is left, `Results` is empty and the token is the scope's
/// newest change, so `__________8` (the largest token) jumps to "now".
struct ChangeFeedRoutes: Sendable {
    let store: any SandboxStore
    static let pageSize = 500

    func register(on api: ICLAPI) {
        api.on("content.changesAll") { request, _, _ in try await page(request, typeName: nil) }
        api.on("content.changes") { request, context, _ in
            try await page(request, typeName: try ICLRequest.segment(context, "type"))
        }
    }

    private func page(_ request: Request, typeName: String?) async throws -> Response {
        let text = ICLRequest.query(request)["changeToken"] ?? ""
        guard let after = ChangeToken.decode(text) else {
            throw ICLError.badRequest("The changeToken '\(text)' is not valid.")
        }
        let (page, next) = try await store.read { tx in
            let catalog = ICLCatalog(tx: tx)
            let typeId = try typeName.map { try ContentItemRoutes.type(catalog, $0).contentTypeId }
            // Beyond every change (e.g. `__________8`): nothing to scan.
            let changes =
                after >= UInt64(Int64.max) ? [] : try catalog.changeDocuments(of: typeId, after: Int64(after), limit: Self.pageSize)
            var names: [String: String] = [:]
            var definitions: [String: ContentTypeDefinition] = [:]
            var text = ChangeText(capacity: 256 * changes.count + 256)
            for (owner, document) in changes {
                if names[owner] == nil {
                    guard let name = try catalog.typeName(id: owner) else { continue }
                    names[owner] = name
                    // A deleted type's items keep their stored fields as they are.
                    definitions[owner] = try catalog.type(named: name)?.definition
                }
                let definition = definitions[owner].flatMap { $0.id == owner ? $0 : nil }
                text.append(document, definition, typeId: owner, typeName: typeName == nil ? names[owner] : nil)
            }
            let next = try changes.last.map { $0.document["rowVersion"]?.integer ?? 0 } ?? catalog.head(of: typeId)
            return (text, next)
        }
        let token = ChangeToken.encode(next)
        let link = ICLRequest.origin(request) + request.uri.path + "?changeToken=" + token
        return page.response(token: token, link: link)
    }

}

/// Change tokens are what the seed's look like: the 8-byte big-endian row
/// version in unpadded base64url ("AAAAAAADRF8"), so they are opaque yet
/// ordered, and `__________8` is the largest possible one.
enum ChangeToken {
    static func encode(_ rowVersion: Int64) -> String {
        var bigEndian = UInt64(bitPattern: rowVersion).bigEndian
        let data = withUnsafeBytes(of: &bigEndian) { Data($0) }
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The row version after which to list; "" and "0" mean the beginning
    /// (the seed's "magic value" for Swagger). nil: not a token.
    static func decode(_ token: String) -> UInt64? {
        if token.isEmpty || token == "0" { return 0 }
        guard token.count == 11 else { return nil }
        let base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "="
        guard let data = Data(base64Encoded: base64), data.count == 8 else { return nil }
        return data.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

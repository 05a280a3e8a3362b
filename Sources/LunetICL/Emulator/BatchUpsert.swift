import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// `PUT /api/content/{type}/batch[?ignoreErrors=true]`: upsert by externalId,
/// answering the seed's bare `{errored: [{externalId, error}], succeeded:
/// [{externalId, id}]}` with 200 either way. Atomic (the default): one invalid
/// item rolls the whole batch back, so `succeeded` is empty and `errored`
/// lists every invalid item. Ignoring errors: the valid items are stored.
extension ContentItemRoutes {
    private struct RolledBack: Error {
        var errored: [(externalId: JSONValue, error: String)]
    }

    func batch(_ request: Request, type typeName: String, _ caller: Caller, ignoreErrors: Bool) async throws -> Response {
        guard let entries = try await ICLRequest.json(request).array else {
            throw ICLError.badRequest("The batch must be a JSON array of content items.")
        }
        let now = ICLTime.string(Date())
        do {
            let (errored, succeeded) = try await store.write { tx in
                let catalog = ICLCatalog(tx: tx)
                let type = try Self.type(catalog, typeName)
                var writer = ItemWriter(catalog: catalog, type: type, caller: caller, now: now)
                writer.recordsHeads = false
                // Plain pairs while the store is locked; the answer's objects are built after.
                var errored: [(externalId: JSONValue, error: String)] = []
                var succeeded: [(externalId: JSONValue, id: String)] = []
                succeeded.reserveCapacity(entries.count)
                var newest: Int64?
                for entry in entries {
                    let externalId: JSONValue = entry["externalId"].flatMap(FieldValue.text) ?? .null
                    do {
                        let item = try writer.upsert(entry)
                        newest = item.rowVersion
                        succeeded.append((externalId, item.contentItemId))
                    } catch let error as ICLError {
                        errored.append((externalId, Self.summary(error)))
                    }
                }
                if let newest { try catalog.recordHead(newest, typeId: type.contentTypeId) }
                if !errored.isEmpty, !ignoreErrors { throw RolledBack(errored: errored) }
                return (errored, succeeded)
            }
            let stored: [JSONValue] = succeeded.map { ["externalId": $0.externalId, "id": .string($0.id)] }
            return ABP.bare(["errored": .array(Self.errors(errored)), "succeeded": .array(stored)])
        } catch let rollback as RolledBack {
            return ABP.bare(["errored": .array(Self.errors(rollback.errored)), "succeeded": []])
        }
    }

    private static func errors(_ errored: [(externalId: JSONValue, error: String)]) -> [JSONValue] {
        errored.map { ["externalId": $0.externalId, "error": .string($0.error)] }
    }

    /// One line per item: "The field 'strasse' is required" (several joined by "; ").
    private static func summary(_ error: ICLError) -> String {
        guard let problems = error.validationErrors, !problems.isEmpty else { return error.message }
        return problems.map(\.message).joined(separator: "; ")
    }
}

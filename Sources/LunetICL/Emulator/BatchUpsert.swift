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
        var errored: [JSONValue]
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
                var errored: [JSONValue] = [], succeeded: [JSONValue] = []
                succeeded.reserveCapacity(entries.count)
                var newest: Int64?
                for entry in entries {
                    let externalId: JSONValue = entry["externalId"].flatMap(FieldValue.text) ?? .null
                    do {
                        let item = try writer.upsert(entry)
                        newest = item.rowVersion
                        succeeded.append(["externalId": externalId, "id": .string(item.contentItemId)])
                    } catch let error as ICLError {
                        errored.append(["externalId": externalId, "error": .string(Self.summary(error))])
                    }
                }
                if let newest { try catalog.recordHead(newest, typeId: type.contentTypeId) }
                if !errored.isEmpty, !ignoreErrors { throw RolledBack(errored: errored) }
                return (errored, succeeded)
            }
            return ABP.bare(["errored": .array(errored), "succeeded": .array(succeeded)])
        } catch let rollback as RolledBack {
            return ABP.bare(["errored": .array(rollback.errored), "succeeded": []])
        }
    }

    /// One line per item: "The field 'strasse' is required" (several joined by "; ").
    private static func summary(_ error: ICLError) -> String {
        guard let problems = error.validationErrors, !problems.isEmpty else { return error.message }
        return problems.map(\.message).joined(separator: "; ")
    }
}

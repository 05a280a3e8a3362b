import LunetJSON
import LunetSandbox

/// The emulator's view of its store: every write of a resource's object also
/// updates `index`, inside the same transaction, so a list never sees the
/// index and the store disagree. A write that fails after changing an object
/// (its transaction is rolled back) and every `removeAll` drop the index; the
/// next list rebuilds it from the store.
struct CoreDataIndexedStore: SandboxStore {
    let base: any SandboxStore
    let index: CoreDataIndex

    func read<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        try await base.read(body)
    }

    func write<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        let index = self.index
        do {
            return try await base.write { tx in
                let indexed = CoreDataIndexedTransaction(base: tx, index: index)
                do {
                    return try body(indexed)
                } catch {
                    if indexed.touched { index.invalidate() }
                    throw BodyFailed(error: error)
                }
            }
        } catch let failed as BodyFailed {
            throw failed.error
        } catch {
            // The commit itself failed, after the body updated the index.
            index.invalidate()
            throw error
        }
    }

    /// The body's own error, told apart from the store's.
    private struct BodyFailed: Error {
        let error: any Error
    }
}

private final class CoreDataIndexedTransaction: SandboxTransaction {
    let base: any SandboxTransaction
    let index: CoreDataIndex
    private(set) var touched = false

    init(base: any SandboxTransaction, index: CoreDataIndex) {
        self.base = base
        self.index = index
    }

    func get(_ collection: String, id: String) throws -> JSONValue? {
        try base.get(collection, id: id)
    }

    func put(_ collection: String, id: String, _ document: JSONValue) throws {
        try base.put(collection, id: id, document)
        touched = true
        index.update(collection, id, document)
    }

    func delete(_ collection: String, id: String) throws -> Bool {
        let deleted = try base.delete(collection, id: id)
        touched = true
        index.update(collection, id, nil)
        return deleted
    }

    func scan(_ collection: String, after: String?, limit: Int?) throws -> [SandboxDocument] {
        try base.scan(collection, after: after, limit: limit)
    }

    func scan(_ collection: String, offset: Int, limit: Int?) throws -> [SandboxDocument] {
        try base.scan(collection, offset: offset, limit: limit)
    }

    func count(_ collection: String) throws -> Int {
        try base.count(collection)
    }

    func nextSequence(_ collection: String) throws -> Int64 {
        try base.nextSequence(collection)
    }

    func removeAll(collectionPrefix: String) throws {
        try base.removeAll(collectionPrefix: collectionPrefix)
        touched = true
        index.invalidate()
    }
}

import LunetJSON
import LunetSandbox

/// The emulator's view of its store: the writes of a transaction reach
/// `index` once the transaction has committed, so a list never keeps (and
/// renders from) a state the store may still roll back, and a list running
/// beside a write (the SQLite store reads while it writes) never caches an
/// object as it was before the write under the index's new generation. A
/// transaction that fails changes neither; a `removeAll` drops the index and
/// the next list rebuilds it from the store.
struct CoreDataIndexedStore: SandboxStore {
    let base: any SandboxStore
    let index: CoreDataIndex

    func read<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        try await base.read(body)
    }

    func write<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        let (result, changes) = try await base.write { tx in
            let indexed = CoreDataIndexedTransaction(base: tx)
            return (try body(indexed), indexed.changes)
        }
        if changes.dropsIndex {
            index.invalidate()
        } else {
            for (collection, id, document) in changes.writes { index.update(collection, id, document) }
        }
        return result
    }
}

/// What a transaction wrote, for the index once it has committed.
private struct IndexChanges: Sendable {
    var writes: [(collection: String, id: String, document: JSONValue?)] = []
    var dropsIndex = false
}

private final class CoreDataIndexedTransaction: SandboxTransaction {
    let base: any SandboxTransaction
    private(set) var changes = IndexChanges()

    init(base: any SandboxTransaction) {
        self.base = base
    }

    func get(_ collection: String, id: String) throws -> JSONValue? {
        try base.get(collection, id: id)
    }

    func put(_ collection: String, id: String, _ document: JSONValue) throws {
        try base.put(collection, id: id, document)
        changes.writes.append((collection, id, document))
    }

    func delete(_ collection: String, id: String) throws -> Bool {
        let deleted = try base.delete(collection, id: id)
        changes.writes.append((collection, id, nil))
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
        changes.dropsIndex = true
    }
}

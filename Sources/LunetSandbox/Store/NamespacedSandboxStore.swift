import LunetJSON

/// A store seen through a collection-name prefix ("icl/"), so modules sharing
/// one store (and one SQLite file) cannot collide. Namespaces nest.
struct NamespacedSandboxStore: SandboxStore {
    let base: any SandboxStore
    let prefix: String

    func read<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        let prefix = self.prefix
        return try await base.read { try body(NamespacedTransaction(base: $0, prefix: prefix)) }
    }

    func write<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        let prefix = self.prefix
        return try await base.write { try body(NamespacedTransaction(base: $0, prefix: prefix)) }
    }
}

private struct NamespacedTransaction: SandboxTransaction {
    let base: any SandboxTransaction
    let prefix: String

    func get(_ collection: String, id: String) throws -> JSONValue? {
        try base.get(prefix + collection, id: id)
    }

    func put(_ collection: String, id: String, _ document: JSONValue) throws {
        try base.put(prefix + collection, id: id, document)
    }

    func delete(_ collection: String, id: String) throws -> Bool {
        try base.delete(prefix + collection, id: id)
    }

    func scan(_ collection: String, after: String?, limit: Int?) throws -> [SandboxDocument] {
        try base.scan(prefix + collection, after: after, limit: limit)
    }

    func scan(_ collection: String, offset: Int, limit: Int?) throws -> [SandboxDocument] {
        try base.scan(prefix + collection, offset: offset, limit: limit)
    }

    func count(_ collection: String) throws -> Int {
        try base.count(prefix + collection)
    }

    func nextSequence(_ collection: String) throws -> Int64 {
        try base.nextSequence(prefix + collection)
    }

    func removeAll(collectionPrefix: String) throws {
        try base.removeAll(collectionPrefix: prefix + collectionPrefix)
    }
}

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

private final class NamespacedTransaction: SandboxTransaction {
    let base: any SandboxTransaction
    let prefix: String
    /// The prefixed names used so far: a batch touches a handful of
    /// collections thousands of times, so each name is built once.
    private var names: [String: String] = [:]

    init(base: any SandboxTransaction, prefix: String) {
        self.base = base
        self.prefix = prefix
    }

    private func full(_ collection: String) -> String {
        if let name = names[collection] { return name }
        let name = prefix + collection
        names[collection] = name
        return name
    }

    func get(_ collection: String, id: String) throws -> JSONValue? {
        try base.get(full(collection), id: id)
    }

    func put(_ collection: String, id: String, _ document: JSONValue) throws {
        try base.put(full(collection), id: id, document)
    }

    func delete(_ collection: String, id: String) throws -> Bool {
        try base.delete(full(collection), id: id)
    }

    func scan(_ collection: String, after: String?, limit: Int?) throws -> [SandboxDocument] {
        try base.scan(full(collection), after: after, limit: limit)
    }

    func scan(_ collection: String, offset: Int, limit: Int?) throws -> [SandboxDocument] {
        try base.scan(full(collection), offset: offset, limit: limit)
    }

    func count(_ collection: String) throws -> Int {
        try base.count(full(collection))
    }

    func nextSequence(_ collection: String) throws -> Int64 {
        try base.nextSequence(full(collection))
    }

    func removeAll(collectionPrefix: String) throws {
        try base.removeAll(collectionPrefix: prefix + collectionPrefix)
    }
}

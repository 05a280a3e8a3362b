import LunetJSON

/// Where the emulators keep their data: collections of JSON documents keyed
/// by string id, each collection with its own counter. Every read or write is
/// one transaction, so an emulator's batch (an atomic upsert, a reassembled
/// upload) is all-or-nothing: if `body` throws, none of its writes happen.
///
/// The server gives every module the same store; a module namespaces it with
/// `namespaced(prefix)` so four emulators never see each other's collections.
public protocol SandboxStore: Sendable {
    func read<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T
    func write<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T
}

/// The operations inside one `read` or `write`. Valid only inside its closure.
public protocol SandboxTransaction {
    func get(_ collection: String, id: String) throws -> JSONValue?
    func put(_ collection: String, id: String, _ document: JSONValue) throws
    /// Whether there was a document to delete.
    @discardableResult func delete(_ collection: String, id: String) throws -> Bool
    /// Documents in id order (bytewise UTF-8, the same in every store), those
    /// after `after` only, at most `limit` of them: one page of a listing.
    func scan(_ collection: String, after: String?, limit: Int?) throws -> [SandboxDocument]
    /// Documents in id order from position `offset` (0-based), at most
    /// `limit` of them: a page by position, without reading the ones before.
    func scan(_ collection: String, offset: Int, limit: Int?) throws -> [SandboxDocument]
    func count(_ collection: String) throws -> Int
    /// The collection's counter, incremented: 1 on the first call. Deleting
    /// documents keeps it; `removeAll` resets it.
    func nextSequence(_ collection: String) throws -> Int64
    /// Forget every document and counter of the collections whose names start
    /// with `collectionPrefix` ("" is everything this transaction can see).
    func removeAll(collectionPrefix: String) throws
}

public struct SandboxDocument: Sendable, Equatable {
    public var id: String
    public var body: JSONValue

    public init(id: String, body: JSONValue) {
        self.id = id
        self.body = body
    }
}

public enum SandboxStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case writeInReadTransaction
    case corruptDocument(collection: String, id: String, reason: String)

    public var description: String {
        switch self {
        case .writeInReadTransaction:
            "sandbox store: write attempted inside read(); use write()"
        case .corruptDocument(let collection, let id, let reason):
            "sandbox store: document \(collection)/\(id) is not valid JSON: \(reason)"
        }
    }
}

/// Ids that sort in numeric order, for collections scanned in insertion order
/// (change feeds, job histories): `orderedKey(7)` is "00000000000000000007".
public func orderedKey(_ number: Int64) -> String {
    guard number >= 0 else {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }
    // Written in place: a save makes several of these keys.
    return String(unsafeUninitializedCapacity: 20) { buffer in
        var rest = UInt64(number)
        for i in stride(from: 19, through: 0, by: -1) {
            buffer[i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return 20
    }
}

extension SandboxStore {
    /// A view of this store whose collections are private to `namespace`.
    public func namespaced(_ namespace: String) -> any SandboxStore {
        NamespacedSandboxStore(base: self, prefix: namespace + "/")
    }

    public func get(_ collection: String, id: String) async throws -> JSONValue? {
        try await read { try $0.get(collection, id: id) }
    }

    public func put(_ collection: String, id: String, _ document: JSONValue) async throws {
        try await write { try $0.put(collection, id: id, document) }
    }

    @discardableResult
    public func delete(_ collection: String, id: String) async throws -> Bool {
        try await write { try $0.delete(collection, id: id) }
    }

    public func scan(_ collection: String, after: String? = nil, limit: Int? = nil) async throws -> [SandboxDocument] {
        try await read { try $0.scan(collection, after: after, limit: limit) }
    }

    public func count(_ collection: String) async throws -> Int {
        try await read { try $0.count(collection) }
    }

    public func nextSequence(_ collection: String) async throws -> Int64 {
        try await write { try $0.nextSequence(collection) }
    }

    /// Forget everything this view can see (a module's reset).
    public func removeAll() async throws {
        try await write { try $0.removeAll(collectionPrefix: "") }
    }
}

import Foundation
import LunetJSON
import NIOConcurrencyHelpers

/// The default store: everything in memory, gone when the server stops.
/// Transactions run one at a time under a lock and undo their writes when the
/// body throws, so a write costs the same whatever the size of the data.
public final class MemorySandboxStore: SandboxStore {
    private let state = NIOLockedValueBox(MemoryState())

    public init() {}

    public func read<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        try run(body, readOnly: true)
    }

    public func write<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        try run(body, readOnly: false)
    }

    private func run<T>(_ body: (any SandboxTransaction) throws -> T, readOnly: Bool) throws -> T {
        // Kept to be freed after the lock is released: its undo log holds the
        // documents the transaction replaced, and freeing them (thousands for
        // a batch) need not hold up the next transaction.
        var finished: MemoryTransaction?
        defer { withExtendedLifetime(finished) {} }
        return try state.withLockedValue { state in
            // Moved out (not copied) so mutations inside the transaction do not
            // trigger copy-on-write of the whole data set.
            let transaction = MemoryTransaction(state: state, readOnly: readOnly)
            finished = transaction
            state = MemoryState()
            defer { state = transaction.close() }
            do {
                return try body(transaction)
            } catch {
                transaction.rollBack()
                throw error
            }
        }
    }
}

private struct MemoryState {
    var collections: [String: MemoryCollection] = [:]
    var sequences: [String: Int64] = [:]
}

/// Documents plus their ids in sorted order, so a page of a scan is a binary
/// search. New ids are appended to `pending` and removed ones dropped only
/// from `documents`; the order is brought up to date by the next scan (one
/// sort of the new ids and a merge), so writes never shift a large array.
private struct MemoryCollection {
    var documents: [DocumentID: JSONValue] = [:]
    /// Sorted; may still hold ids removed since the last scan.
    private var sortedIDs: [String] = []
    /// Ids added since the last scan, unsorted (an id removed and added again
    /// can be both here and in `sortedIDs`: the merge keeps it once).
    private var pending: [String] = []
    private var removedSinceSort = false

    /// The live ids in order, bringing the order up to date first.
    mutating func orderedIDs() -> [String] {
        if pending.isEmpty && !removedSinceSort { return sortedIDs }
        let added = pending.sorted(by: utf8Precedes)
        // Ids that all sort after the last one (a counter's ordered keys: a
        // feed, a log), with nothing removed: appended, not merged.
        if !removedSinceSort, sortedIDs.last.map({ utf8Precedes($0, added[0]) }) ?? true {
            sortedIDs += added
            pending = []
            return sortedIDs
        }
        var merged: [String] = []
        merged.reserveCapacity(documents.count)
        var i = 0, j = 0
        func take(_ id: String) {
            guard documents[DocumentID(id)] != nil else { return }
            if let last = merged.last, DocumentID(last) == DocumentID(id) { return }
            merged.append(id)
        }
        while i < sortedIDs.count || j < added.count {
            if j == added.count || (i < sortedIDs.count && !utf8Precedes(added[j], sortedIDs[i])) {
                take(sortedIDs[i])
                i += 1
            } else {
                take(added[j])
                j += 1
            }
        }
        sortedIDs = merged
        pending = []
        removedSinceSort = false
        return sortedIDs
    }

    /// Index in `ids` of the first id that sorts after `id`.
    static func boundary(_ ids: [String], after id: String) -> Int {
        var low = 0, high = ids.count
        while low < high {
            let mid = (low + high) / 2
            if !utf8Precedes(id, ids[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func put(_ id: String, _ document: JSONValue) -> JSONValue? {
        let previous = documents.updateValue(document, forKey: DocumentID(id))
        if previous == nil { pending.append(id) }
        return previous
    }

    mutating func remove(_ id: String) -> JSONValue? {
        guard let previous = documents.removeValue(forKey: DocumentID(id)) else { return nil }
        removedSinceSort = true
        return previous
    }
}

/// An id compared byte for byte, as SQLite does: Swift's String equality
/// would make "é" and "e\u{301}" one document.
private struct DocumentID: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (a: Self, b: Self) -> Bool {
        // Native strings are contiguous UTF-8: compared with memcmp, without
        // copying (and so retaining) either string.
        let fast = a.text.utf8.withContiguousStorageIfAvailable { p in
            b.text.utf8.withContiguousStorageIfAvailable { q in
                p.count == q.count && (p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0)
            }
        }
        return (fast ?? nil) ?? a.text.utf8.elementsEqual(b.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil { Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) } }
    }
}

/// Bytewise UTF-8 order, which is SQLite's default (BINARY) collation, so both
/// stores list in the same order.
private func utf8Precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

private final class MemoryTransaction: SandboxTransaction {
    private var state: MemoryState
    private let readOnly: Bool
    private var undo: [Undo] = []

    private enum Undo {
        case document(collection: String, id: String, previous: JSONValue?)
        case sequence(collection: String, previous: Int64?)
        case removed(collections: [String: MemoryCollection], sequences: [String: Int64])
    }

    init(state: MemoryState, readOnly: Bool) {
        self.state = state
        self.readOnly = readOnly
    }

    /// The data, moved out; the undo log stays until the transaction is freed.
    func close() -> MemoryState {
        let result = state
        state = MemoryState()
        return result
    }

    func rollBack() {
        for step in undo.reversed() {
            switch step {
            case .document(let collection, let id, let previous):
                if let previous {
                    _ = state.collections[collection, default: MemoryCollection()].put(id, previous)
                } else {
                    _ = state.collections[collection]?.remove(id)
                }
            case .sequence(let collection, let previous):
                state.sequences[collection] = previous
            case .removed(let collections, let sequences):
                state.collections.merge(collections) { _, removed in removed }
                state.sequences.merge(sequences) { _, removed in removed }
            }
        }
        undo = []
    }

    private func checkWritable() throws {
        if readOnly { throw SandboxStoreError.writeInReadTransaction }
    }

    func get(_ collection: String, id: String) throws -> JSONValue? {
        state.collections[collection]?.documents[DocumentID(id)]
    }

    func put(_ collection: String, id: String, _ document: JSONValue) throws {
        try checkWritable()
        let previous = state.collections[collection, default: MemoryCollection()].put(id, document)
        undo.append(.document(collection: collection, id: id, previous: previous))
    }

    func delete(_ collection: String, id: String) throws -> Bool {
        try checkWritable()
        guard let previous = state.collections[collection]?.remove(id) else { return false }
        undo.append(.document(collection: collection, id: id, previous: previous))
        return true
    }

    func scan(_ collection: String, after: String?, limit: Int?) throws -> [SandboxDocument] {
        guard state.collections[collection] != nil else { return [] }
        let ids = state.collections[collection]!.orderedIDs()
        let start = after.map { MemoryCollection.boundary(ids, after: $0) } ?? 0
        return documents(collection, ids, from: start, limit: limit)
    }

    private func documents(_ collection: String, _ ids: [String], from start: Int, limit: Int?) -> [SandboxDocument] {
        let end = limit.map { min(ids.count, start + max(0, $0)) } ?? ids.count
        guard start < end, let stored = state.collections[collection] else { return [] }
        return ids[start..<end].map { SandboxDocument(id: $0, body: stored.documents[DocumentID($0)]!) }
    }

    func scan(_ collection: String, offset: Int, limit: Int?) throws -> [SandboxDocument] {
        guard state.collections[collection] != nil else { return [] }
        let ids = state.collections[collection]!.orderedIDs()
        return documents(collection, ids, from: min(max(0, offset), ids.count), limit: limit)
    }

    func count(_ collection: String) throws -> Int {
        state.collections[collection]?.documents.count ?? 0
    }

    func nextSequence(_ collection: String) throws -> Int64 {
        try checkWritable()
        let previous = state.sequences[collection]
        let next = (previous ?? 0) + 1
        state.sequences[collection] = next
        undo.append(.sequence(collection: collection, previous: previous))
        return next
    }

    func removeAll(collectionPrefix: String) throws {
        try checkWritable()
        var removedCollections: [String: MemoryCollection] = [:]
        var removedSequences: [String: Int64] = [:]
        for name in state.collections.keys where name.utf8.starts(with: collectionPrefix.utf8) {
            removedCollections[name] = state.collections.removeValue(forKey: name)
        }
        for name in state.sequences.keys where name.utf8.starts(with: collectionPrefix.utf8) {
            removedSequences[name] = state.sequences.removeValue(forKey: name)
        }
        undo.append(.removed(collections: removedCollections, sequences: removedSequences))
    }
}

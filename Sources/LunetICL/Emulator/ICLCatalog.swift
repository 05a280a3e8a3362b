import Foundation
import LunetJSON
import LunetSandbox

/// The emulator's data inside one store transaction. Collections:
///   types            name → StoredType
///   typeIds          contentTypeId → {name, deleted}: names the items of deleted types in the feed
///   items/{typeId}   _id → StoredItem, deleted ones included (soft delete)
///   keys             "id:…", "cid:…", "ext:…" → {type, _id}; "ext:" only for live items
///   changes/{typeId} orderedKey(rowVersion) → {type, _id}: one entry per item, its latest change
///                    (the feed of all types merges these; a store written by an
///                    older version may also hold an unused "changes")
///   heads            "*" or typeId → {rowVersion}: the newest change of the scope
///   live, live/{typeId}   orderedKey(sequence) → {type, _id}: the live items in
///                    creation order, so a listing page is read by position
///                    (kept for the types whose `liveIndexed` is set)
struct ICLCatalog {
    let tx: any SandboxTransaction
    private let names = ScopedNames()

    init(tx: any SandboxTransaction) {
        self.tx = tx
    }

    /// "items/", "changes/" and "live/" + a type id, built once per transaction.
    private final class ScopedNames {
        private var built: [String: (items: String, changes: String, live: String)] = [:]

        func of(_ typeId: String) -> (items: String, changes: String, live: String) {
            if let names = built[typeId] { return names }
            let names = ("items/" + typeId, "changes/" + typeId, "live/" + typeId)
            built[typeId] = names
            return names
        }
    }

    // MARK: Content types

    func type(named name: String) throws -> StoredType? {
        try tx.get("types", id: name).flatMap(StoredType.init(document:))
    }

    func types() throws -> [StoredType] {
        try tx.scan("types", after: nil, limit: nil).compactMap { StoredType(document: $0.body) }
    }

    func typeName(id: String) throws -> String? {
        try tx.get("typeIds", id: id)?["name"]?.string
    }

    func put(_ type: StoredType, replacing oldName: String? = nil) throws {
        if let oldName, oldName != type.name { try tx.delete("types", id: oldName) }
        try tx.put("types", id: type.name, type.document)
        try tx.put("typeIds", id: type.contentTypeId, ["name": .string(type.name), "deleted": false])
    }

    func remove(_ type: StoredType) throws {
        try tx.delete("types", id: type.name)
        try tx.put("typeIds", id: type.contentTypeId, ["name": .string(type.name), "deleted": true])
    }

    // MARK: Content items

    static func itemsCollection(_ typeId: String) -> String { "items/" + typeId }

    /// The live item of `typeId` whose `_id`, `contentItemId` or `externalId` is `key`.
    func item(of typeId: String, key: String) throws -> StoredItem? {
        guard let (owner, item) = try item(key: key), owner == typeId else { return nil }
        return item
    }

    /// A live item of any type, by any of its keys: GUIDs match in any case,
    /// external ids exactly.
    func item(key: String) throws -> (typeId: String, item: StoredItem)? {
        for indexKey in ["id:" + key.lowercased(), "cid:" + key.lowercased(), "ext:" + key] {
            if let found = try live(indexKey) { return found }
        }
        return nil
    }

    /// The live item that has this external id, of any type.
    func item(externalId: String) throws -> (typeId: String, item: StoredItem)? {
        try live("ext:" + externalId)
    }

    private func live(_ indexKey: String) throws -> (typeId: String, item: StoredItem)? {
        guard let entry = try tx.get("keys", id: indexKey), let typeId = entry["type"]?.string,
            let id = entry["_id"]?.string, let item = try storedItem(of: typeId, id: id), !item.isDeleted
        else { return nil }
        return (typeId, item)
    }

    func isKeyTaken(_ indexKey: String) throws -> Bool {
        try tx.get("keys", id: indexKey) != nil
    }

    /// Live items of a type in creation order.
    func items(of typeId: String) throws -> [StoredItem] {
        try allItems(of: typeId).filter { !$0.isDeleted }
    }

    /// Live items of every type in creation order, each with its type id.
    func allLiveItems() throws -> [(typeId: String, item: StoredItem)] {
        try tx.scan("live", after: nil, limit: nil).compactMap(pointed)
    }

    /// How many live items the type has, from the index.
    func liveCount(of typeId: String?) throws -> Int {
        try tx.count(typeId.map { "live/" + $0 } ?? "live")
    }

    /// Live items `offset..<offset+limit` in creation order, from the index
    /// (`typeId` nil: of every type).
    func liveItems(of typeId: String?, offset: Int, limit: Int?) throws -> [(typeId: String, item: StoredItem)] {
        try tx.scan(typeId.map { "live/" + $0 } ?? "live", offset: offset, limit: limit).compactMap(pointed)
    }

    /// The item a `{type, _id}` index entry points at.
    private func pointed(_ document: SandboxDocument) throws -> (typeId: String, item: StoredItem)? {
        guard let owner = document.body["type"]?.string, let id = document.body["_id"]?.string,
            let item = try storedItem(of: owner, id: id)
        else { return nil }
        return (owner, item)
    }

    func allItems(of typeId: String) throws -> [StoredItem] {
        try tx.scan(Self.itemsCollection(typeId), after: nil, limit: nil)
            .compactMap { StoredItem(document: $0.body) }
            .sorted { $0.sequence < $1.sequence }
    }

    func storedItem(of typeId: String, id: String) throws -> StoredItem? {
        try tx.get(names.of(typeId).items, id: id).flatMap(StoredItem.init(document:))
    }

    func nextItemSequence() throws -> Int64 { try tx.nextSequence("itemSequence") }

    /// Stores `item` (new or changed) with its keys, as the newest change of
    /// the feeds. `previousExternalId` frees the old external id when it changed.
    /// `recordsHead` false: the caller records the newest change with `recordHead`
    /// once it has saved several items (a batch).
    func save(_ item: inout StoredItem, typeId: String, previousExternalId: String?, recordsHead: Bool = true) throws {
        let pointer: JSONValue = ["type": .string(typeId), "_id": .string(item.id)]
        if let previousExternalId, previousExternalId != item.externalId || item.isDeleted {
            try tx.delete("keys", id: "ext:" + previousExternalId)
        }
        if let externalId = item.externalId, !item.isDeleted, externalId != previousExternalId {
            try tx.put("keys", id: "ext:" + externalId, pointer)
        }
        // A saved item's _id and contentItemId never change: indexed once.
        let isNew = item.rowVersion == 0
        if isNew {
            try tx.put("keys", id: "id:" + item.id, pointer)
            try tx.put("keys", id: "cid:" + item.contentItemId, pointer)
        }
        try recordChange(&item, typeId: typeId, pointer: pointer)
        if recordsHead { try recordHead(item.rowVersion, typeId: typeId) }
        try tx.put(names.of(typeId).items, id: item.id, item.document)
        let position = orderedKey(item.sequence)
        if item.isDeleted {
            try tx.delete("live", id: position)
            try tx.delete(names.of(typeId).live, id: position)
        } else if isNew {
            try tx.put("live", id: position, pointer)
            try tx.put(names.of(typeId).live, id: position, pointer)
        }
    }

    private func recordChange(_ item: inout StoredItem, typeId: String, pointer: JSONValue) throws {
        let scoped = names.of(typeId).changes
        if item.rowVersion > 0 { try tx.delete(scoped, id: orderedKey(item.rowVersion)) }
        item.rowVersion = try tx.nextSequence("rowVersion")
        try tx.put(scoped, id: orderedKey(item.rowVersion), pointer)
    }

    /// Makes `rowVersion` the newest change of the feeds of all types and of `typeId`.
    func recordHead(_ rowVersion: Int64, typeId: String) throws {
        let head: JSONValue = ["rowVersion": .integer(rowVersion)]
        try tx.put("heads", id: "*", head)
        try tx.put("heads", id: typeId, head)
    }

    // MARK: Change feeds

    /// Up to `limit` changes after `rowVersion`, oldest first (`typeId` nil:
    /// all types), as the stored documents of the items (those a `StoredItem`
    /// can be read from), for writing a page without decoding them.
    func changeDocuments(of typeId: String?, after rowVersion: Int64, limit: Int) throws -> [(typeId: String, document: JSONObject)] {
        try changeEntries(of: typeId, after: rowVersion, limit: limit).compactMap { entry in
            guard let owner = entry.body["type"]?.string, let id = entry.body["_id"]?.string,
                let document = try tx.get(Self.itemsCollection(owner), id: id)?.object, StoredItem.isValid(document)
            else { return nil }
            return (owner, document)
        }
    }

    /// The `{type, _id}` entries of the next changes. Each type keeps its own
    /// feed (a save touches one list, not two); the feed of all types takes
    /// the next `limit` of every type, deleted types included, and merges
    /// them by position, which the ordered keys give as text.
    private func changeEntries(of typeId: String?, after rowVersion: Int64, limit: Int) throws -> [SandboxDocument] {
        let after = orderedKey(rowVersion)
        if let typeId { return try tx.scan(names.of(typeId).changes, after: after, limit: limit) }
        var typeIds = Set(try tx.scan("typeIds", after: nil, limit: nil).map(\.id))
        typeIds.formUnion(try types().map(\.contentTypeId))
        var entries: [SandboxDocument] = []
        for id in typeIds { entries += try tx.scan("changes/" + id, after: after, limit: limit) }
        entries.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        return Array(entries.prefix(limit))
    }

    /// The newest change of the scope, 0 when it has none.
    func head(of typeId: String?) throws -> Int64 {
        try tx.get("heads", id: typeId ?? "*")?["rowVersion"]?.integer ?? 0
    }
}

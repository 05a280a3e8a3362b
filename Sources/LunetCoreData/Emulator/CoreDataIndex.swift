import Foundation
import LunetJSON
import LunetSandbox

/// What a list needs of one stored object: its place in the order
/// (`created`, then `id`) and the fields a filter can test, decoded once
/// when the object is written instead of on every list request.
struct CoreDataIndexEntry: Sendable {
    let id: String
    let created: String
    let createdTime: Double?
    let modifiedTime: Double?
    let title: String?
    let parent: String?
    let identifier: String?
    let contacts: [String]

    init(id: String, _ object: JSONObject) {
        self.id = id
        created = object["created"]?.string ?? ""
        createdTime = object["created"]?.string.flatMap(CoreDataTime.parse)
        modifiedTime = object["modified"]?.string.flatMap(CoreDataTime.parse)
        title = object["title"]?.string
        parent = object["parent"]?.string
        identifier = object["identifier"]?.string
        contacts = object["associated_contacts"]?.array?.compactMap(\.string) ?? []
    }

    /// The string fields an exact or `startswith` filter may name
    /// (`CoreDataResource.filters`); nil for any other.
    func string(_ field: String) -> String? {
        switch field {
        case "title": title
        case "parent": parent
        case "identifier": identifier
        default: nil
        }
    }

    func time(_ field: String) -> Double? {
        switch field {
        case "created": createdTime
        case "modified": modifiedTime
        default: nil
        }
    }

    /// The list order: `created` ascending, then `id`.
    func precedes(_ other: CoreDataIndexEntry) -> Bool {
        created != other.created ? created < other.created : id < other.id
    }
}

/// One resource's objects in list order, kept up to date by every write
/// (see `CoreDataIndexedStore`), so a page is a slice instead of a scan,
/// decode and sort of the whole collection. The objects matching a filter
/// set are remembered until the next write, so paging through a filtered
/// list tests each object once, not once per page.
struct CoreDataResourceIndex {
    private(set) var entries: [CoreDataIndexEntry] = []
    private var byID: [String: CoreDataIndexEntry] = [:]
    /// Recent filter sets (by key) and the positions in `entries` they match.
    private var matches: [(key: String, positions: [Int])] = []
    static let rememberedFilterSets = 8
    /// Objects as last sent (`CoreDataObject.visible`, serialized), so a
    /// page of unchanged objects is copied, not rebuilt and re-encoded.
    private var rendered: [String: [UInt8]] = [:]
    /// Changes with every write, so a rendering made from an older state is
    /// never remembered.
    private(set) var generation = 0

    init(_ documents: [SandboxDocument]) {
        for document in documents {
            guard let object = document.body.object else { continue }
            let entry = CoreDataIndexEntry(id: document.id, object)
            byID[document.id] = entry
            entries.append(entry)
        }
        entries.sort { $0.precedes($1) }
    }

    /// Position of the first entry not before `entry`.
    private func position(of entry: CoreDataIndexEntry) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].precedes(entry) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Record the object stored under `id` (nil: deleted).
    mutating func update(_ id: String, _ document: JSONValue?) {
        matches = []
        rendered[id] = nil
        generation += 1
        if let old = byID.removeValue(forKey: id) {
            let at = position(of: old)
            if at < entries.count, entries[at].id == id { entries.remove(at: at) }
        }
        guard let object = document?.object else { return }
        let entry = CoreDataIndexEntry(id: id, object)
        byID[id] = entry
        entries.insert(entry, at: position(of: entry))
    }

    /// The ids of `offset..<offset+limit` of the entries passing every
    /// filter, and how many pass. `key` names the filter set.
    mutating func page(key: String, filters: [CoreDataListQuery.Filter], offset: Int, limit: Int)
        -> (ids: [String], total: Int)
    {
        if filters.isEmpty {
            let end = min(entries.count, offset + limit)
            return (offset < end ? entries[offset..<end].map(\.id) : [], entries.count)
        }
        let positions: [Int]
        if let at = matches.firstIndex(where: { $0.key == key }) {
            positions = matches[at].positions
            matches.append(matches.remove(at: at))
        } else {
            positions = entries.indices.filter { at in filters.allSatisfy { $0.matches(entries[at]) } }
            matches.append((key, positions))
            if matches.count > Self.rememberedFilterSets { matches.removeFirst() }
        }
        let end = min(positions.count, offset + limit)
        return (offset < end ? positions[offset..<end].map { entries[$0].id } : [], positions.count)
    }

    func rendering(_ id: String) -> [UInt8]? { rendered[id] }

    mutating func remember(_ id: String, _ bytes: [UInt8], generation: Int) {
        if generation == self.generation, byID[id] != nil { rendered[id] = bytes }
    }
}

/// A page chosen by the index: the ids in order, the renderings it has of
/// them, how many objects match, and the index generation it was read at.
struct CoreDataIndexPage: Sendable {
    var ids: [String]
    var rendered: [[UInt8]?]
    var total: Int
    var generation: Int
}

/// The list indexes of one emulator, one per resource, built from the store
/// the first time a resource is listed and dropped whenever the store changes
/// in a way they did not follow (a reset, a seed, a failed write).
final class CoreDataIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var resources: [CoreDataResource: CoreDataResourceIndex] = [:]

    func isBuilt(_ resource: CoreDataResource) -> Bool {
        lock.withLock { resources[resource] != nil }
    }

    /// Index `resource` from `tx`, which must see every committed write and
    /// exclude concurrent ones (a write transaction).
    func build(_ resource: CoreDataResource, _ tx: any SandboxTransaction) throws {
        let documents = try tx.scan(resource.collection, after: nil, limit: nil)
        let index = CoreDataResourceIndex(documents)
        lock.withLock { resources[resource] = index }
    }

    /// Follow a write of `collection` (nil document: a delete). Resources not
    /// built yet are left alone: their build will read the write.
    func update(_ collection: String, _ id: String, _ document: JSONValue?) {
        guard let resource = CoreDataResource(rawValue: collection) else { return }
        lock.withLock { resources[resource]?.update(id, document) }
    }

    func invalidate() {
        lock.withLock { resources = [:] }
    }

    /// See `CoreDataResourceIndex.page`; nil when the resource is not built.
    func page(_ resource: CoreDataResource, key: String, filters: [CoreDataListQuery.Filter], offset: Int, limit: Int)
        -> CoreDataIndexPage?
    {
        lock.withLock {
            guard let (ids, total) = resources[resource]?.page(key: key, filters: filters, offset: offset, limit: limit),
                let index = resources[resource]
            else { return nil }
            return CoreDataIndexPage(
                ids: ids, rendered: ids.map(index.rendering), total: total, generation: index.generation)
        }
    }

    /// Keep `bytes` as the rendering of `id`, unless the resource changed
    /// since `generation`.
    func remember(_ resource: CoreDataResource, _ id: String, _ bytes: [UInt8], generation: Int) {
        lock.withLock { resources[resource]?.remember(id, bytes, generation: generation) }
    }
}

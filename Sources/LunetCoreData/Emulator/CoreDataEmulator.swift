import Hummingbird
import LunetSandbox

/// The CoreData ECM API v2 (and the v3 upload) under `/coredata`: a client's
/// base URL is `<sandbox>/coredata`. See docs/emulators/coredata.md.
public struct CoreDataEmulator: SandboxModule {
    public let prefix = "coredata"
    /// The API user and key the sandbox accepts.
    public static let sandboxCredentials = CoreDataCredentials(user: "lunet", key: "coredata-sandbox-key")

    /// The module's store, seen through `index` (every write keeps it current).
    let store: any SandboxStore
    let index = CoreDataIndex()

    /// `store` should already be namespaced for this module.
    public init(store: any SandboxStore) {
        self.store = CoreDataIndexedStore(base: store, index: index)
    }

    public func register(on group: RouterGroup<SandboxContext>) {
        registerStorage(on: group)
        registerControl(on: group)
        let api = group.group("api")
        api.add(middleware: CoreDataTrailingSlash())
        registerReads(on: api)
        registerWrites(on: api)
        registerFiles(on: api)
    }

    public func reset() async {
        try? await store.removeAll()
    }

    /// "demo" replaces everything with the demo data set.
    public func seed(_ name: String) async throws {
        guard name == "demo" else { throw UnknownSeed(name) }
        try await store.write { tx in
            try tx.removeAll(collectionPrefix: "")
            try CoreDataDemo.load(tx)
        }
    }
}

// swift-tools-version: 6.0
import PackageDescription

// Lunet: a Swift host for Lua 5.4 with bindings for four business APIs.
// Layers, bottom to top: CLua (system liblua5.4) → CLuaShim (C trampolines and
// macro wrappers) → LunetBridge (safe Swift↔Lua) → LunetRuntime (host modules,
// module search, stdlib) → lunet (the command line).
let apiModuleDependencies: [Target.Dependency] = [
    "LunetRuntime", "LunetBridge", "LunetJSON", "LunetSandbox", "CLuaShim",
    .product(name: "Hummingbird", package: "hummingbird"),
]

let apiTestDependencies: [Target.Dependency] = [
    "LunetJSON", "LunetSandbox", "LunetRuntime", "LunetBridge", "LunetTestSupport",
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
]

let package = Package(
    name: "Lunet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lunet", targets: ["lunet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // Already in the graph through hummingbird and async-http-client;
        // declared because the sandbox host imports them directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // SHA-256 and HMAC (emulator signatures, checksums; PKCE S256 next).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        // Shared state on PostgreSQL (LUNET_STATE=postgres://…).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    ],
    targets: [
        // The system Lua 5.4, linked dynamically so LuaRocks C modules load against it.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // Lua's macros as functions, the one trampoline for Swift functions,
        // the message handler, the interrupt hook and the allocator.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // libedit (BSD licence) for the REPL's line editing.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(name: "LunetBridge", dependencies: ["CLuaShim"]),
        // JSON as Swift values (HTTP bodies, auth, emulators); Lua uses lunet.json.
        .target(name: "LunetJSON"),
        // Build-time tool that turns stdlib/*.lua into Swift source.
        .executableTarget(name: "LunetEmbed", path: "Sources/LunetEmbed"),
        .plugin(
            name: "EmbedStdlib",
            capability: .buildTool(),
            dependencies: ["LunetEmbed"]
        ),
        // Runtime services: scheduler and lunet.task, HTTP, auth, paging,
        // config, state, logging, host modules, module search, stdlib.
        .target(
            name: "LunetRuntime",
            dependencies: [
                "LunetBridge", "CLuaShim", "LunetJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["EmbedStdlib"]
        ),
        // The sandbox host: one loopback server for the API emulators, with
        // control endpoints, fault injection and a small test API.
        .target(
            name: "LunetSandbox",
            dependencies: [
                "LunetJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // One module per API, each with the same inner shape: Routes, Client,
        // Binding (the Lua surface's Swift core; the surface itself is
        // stdlib/lunet/<api>.lua) and Emulator/ (its sandbox module).
        .target(name: "LunetICL", dependencies: apiModuleDependencies),
        .target(name: "LunetIConect", dependencies: apiModuleDependencies),
        .target(name: "LunetCoreData", dependencies: apiModuleDependencies),
        .target(name: "LunetIntegrator", dependencies: apiModuleDependencies),
        .executableTarget(
            name: "lunet",
            dependencies: [
                "LunetRuntime", "LunetBridge", "CLuaShim", "CEditLine", "LunetSandbox",
                "LunetICL", "LunetIConect", "LunetCoreData", "LunetIntegrator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/LunetCLI"
        ),
        .testTarget(name: "LunetBridgeTests", dependencies: ["LunetBridge", "CLuaShim"]),
        .testTarget(name: "LunetJSONTests", dependencies: ["LunetJSON"]),
        .testTarget(name: "LunetICLTests", dependencies: apiTestDependencies + ["LunetICL"]),
        .testTarget(name: "LunetIConectTests", dependencies: apiTestDependencies + ["LunetIConect"]),
        .testTarget(name: "LunetCoreDataTests", dependencies: apiTestDependencies + ["LunetCoreData"]),
        .testTarget(name: "LunetIntegratorTests", dependencies: apiTestDependencies + ["LunetIntegrator"]),
        .testTarget(
            name: "LunetRuntimeTests",
            dependencies: ["LunetRuntime", "LunetBridge", "LunetSandbox", "LunetJSON", "LunetTestSupport"]),
        .testTarget(
            name: "LunetSandboxTests",
            dependencies: [
                "LunetSandbox", "LunetJSON", "LunetTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Helpers several test targets share: a real PostgreSQL server, an
        // in-process sandbox and the HTTP calls the emulator tests make.
        .target(
            name: "LunetTestSupport",
            dependencies: [
                "LunetJSON", "LunetSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/LunetTestSupport"),
        .testTarget(name: "LunetCLITests", dependencies: ["lunet", "LunetTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

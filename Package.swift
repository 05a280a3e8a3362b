// swift-tools-version: 6.0
import PackageDescription

// Lunet: a Swift host for Lua 5.4 with bindings for four business APIs.
// Layers, bottom to top: CLua (system liblua5.4) → CLuaShim (C trampolines and
// macro wrappers) → LunetBridge (safe Swift↔Lua) → LunetRuntime (host modules,
// module search, stdlib) → lunet (the command line).
let package = Package(
    name: "Lunet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lunet", targets: ["lunet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        // Build-time tool that turns stdlib/*.lua into Swift source.
        .executableTarget(name: "LunetEmbed", path: "Sources/LunetEmbed"),
        .plugin(
            name: "EmbedStdlib",
            capability: .buildTool(),
            dependencies: ["LunetEmbed"]
        ),
        .target(
            name: "LunetRuntime",
            dependencies: ["LunetBridge", "CLuaShim"],
            plugins: ["EmbedStdlib"]
        ),
        .executableTarget(
            name: "lunet",
            dependencies: [
                "LunetRuntime", "LunetBridge", "CLuaShim", "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/LunetCLI"
        ),
        .testTarget(name: "LunetBridgeTests", dependencies: ["LunetBridge", "CLuaShim"]),
        .testTarget(name: "LunetRuntimeTests", dependencies: ["LunetRuntime", "LunetBridge"]),
        .testTarget(name: "LunetCLITests", dependencies: ["lunet"]),
    ],
    swiftLanguageModes: [.v6]
)

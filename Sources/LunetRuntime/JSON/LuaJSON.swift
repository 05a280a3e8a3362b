import CLuaShim
import LunetBridge
import LunetJSON

/// Lua values ↔ JSON for Swift code (lunet.state, lunet.log, config, HTTP
/// bodies), always through the lunet.json codec so there is one set of rules:
/// what json.encode accepts and how json.decode builds tables.
enum LuaJSON {
    /// The Lua value at `index` as JSON text.
    static func encode(_ L: OpaquePointer, at index: Int32) throws(LuaJSONError) -> [UInt8] {
        do { return try JSONCodec.encodeValue(L, at: index) } catch { throw LuaJSONError(error.message) }
    }

    /// The Lua value at `index` as a `JSONValue` (for Swift code that works
    /// on the structure, like the log's redaction or a request body).
    static func jsonValue(_ L: OpaquePointer, at index: Int32) throws(LuaJSONError) -> JSONValue {
        let bytes = try encode(L, at: index)
        do { return try JSONValue.parse(bytes) } catch { throw LuaJSONError("internal: re-reading encoded JSON failed: \(error)") }
    }

    /// Decode `bytes` and push the value.
    static func pushDecoded(_ L: OpaquePointer, _ bytes: UnsafeRawBufferPointer) throws(LuaJSONError) {
        do { try JSONCodec.pushDecoded(L, bytes) } catch { throw LuaJSONError(error.message) }
    }

    /// Push a `JSONValue` as json.decode would build it (arrays marked,
    /// null as json.null).
    static func push(_ L: OpaquePointer, _ value: JSONValue) throws(LuaJSONError) {
        let bytes = value.serialized()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        try pushDecoded(L, UnsafeRawBufferPointer(buffer))
    }
}

struct LuaJSONError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

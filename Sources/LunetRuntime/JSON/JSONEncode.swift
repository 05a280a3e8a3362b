import CLuaShim
import LunetBridge

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An encode failure; the message already names the path.
struct JSONEncodeFailure: Error {
    var message: String
}

/// Writes a Lua value as JSON into a growable byte buffer, walking tables
/// directly with raw accessors.
struct JSONWriter {
    /// One table on the path from the root to the value being written: its
    /// identity (for cycles) and the key of the child being written, either
    /// a stack slot holding the key (objects) or an array index.
    struct Level {
        var table: UnsafeRawPointer?
        var keySlot: Int32
        var index: Int64
    }

    /// A key gathered for sort_keys: a string's bytes, or an integer key.
    struct SortKey {
        var bytes: UnsafePointer<UInt8>?
        var length: Int
        var integer: Int64
    }

    enum Kind { case auto, array, object }

    let L: OpaquePointer
    var buf: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int
    let pretty: Bool
    let sortKeys: Bool
    let indent: [UInt8]
    let arrayMeta: UnsafeRawPointer?
    let objectMeta: UnsafeRawPointer?
    var levels: UnsafeMutablePointer<Level>
    var levelCapacity = 16
    var depth = 0
    var sortBuffer: [SortKey] = []

    let escape = JSONTables.escape
    let pairs = JSONTables.digitPairs

    init(L: OpaquePointer, pretty: Bool, sortKeys: Bool, indent: [UInt8]) {
        self.L = L
        self.pretty = pretty
        self.sortKeys = sortKeys
        self.indent = indent
        capacity = 4096
        buf = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
        levels = malloc(MemoryLayout<Level>.stride * levelCapacity)!.assumingMemoryBound(to: Level.self)
        arrayMeta = JSONCodec.markerPointer(L, JSONCodec.arrayMarkerKey)
        objectMeta = JSONCodec.markerPointer(L, JSONCodec.objectMarkerKey)
    }

    func release() {
        free(buf)
        free(levels)
    }

    // MARK: Output buffer

    @inline(__always)
    mutating func ensure(_ n: Int) {
        if capacity &- count < n { grow(n) }
    }

    @inline(never)
    mutating func grow(_ n: Int) {
        capacity = max(capacity * 2, count + n)
        buf = realloc(buf, capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    @inline(__always)
    mutating func byte(_ c: UInt8) {
        ensure(1)
        buf[count] = c
        count &+= 1
    }

    @inline(__always)
    mutating func bytes(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        ensure(n)
        (buf + count).update(from: s.utf8Start, count: n)
        count &+= n
    }

    /// Newline and indentation for nesting `level` (pretty output only).
    mutating func newline(_ level: Int) {
        let n = indent.count
        ensure(1 + n * level)
        buf[count] = 0x0A
        count &+= 1
        if n == 0 { return }
        indent.withUnsafeBufferPointer { ind in
            for _ in 0..<level {
                (buf + count).update(from: ind.baseAddress!, count: n)
                count &+= n
            }
        }
    }

    // MARK: Scalars

    @inline(__always)
    mutating func integer(_ v: Int64) {
        ensure(20)
        var u: UInt64
        if v < 0 {
            buf[count] = UInt8(ascii: "-")
            count &+= 1
            u = 0 &- UInt64(bitPattern: v)
        } else {
            u = UInt64(v)
        }
        var n = 1
        var t = u
        while t >= 10 {
            t /= 10
            n &+= 1
        }
        var pos = count &+ n
        while u >= 100 {
            let r = Int(u % 100) &* 2
            u /= 100
            pos &-= 2
            buf[pos] = pairs[r]
            buf[pos &+ 1] = pairs[r &+ 1]
        }
        if u >= 10 {
            let r = Int(u) &* 2
            buf[pos &- 2] = pairs[r]
            buf[pos &- 1] = pairs[r &+ 1]
        } else {
            buf[pos &- 1] = UInt8(truncatingIfNeeded: u) &+ 0x30
        }
        count &+= n
    }

    @inline(never)
    mutating func float(_ d: Double) throws(JSONEncodeFailure) {
        if !d.isFinite { throw notFinite(d) }
        ensure(48)
        if d.sign == .minus {
            buf[count] = UInt8(ascii: "-")
            count &+= 1
        }
        let a = d.magnitude
        if a >= 1e-4 && a < 1e15 && fixedFloat(a) { return }
        if a == 0 {
            bytes("0.0")
            return
        }
        // Exponent notation (or too many digits for the fast path): Swift's
        // shortest round-trip formatter.
        var text = a.description
        text.withUTF8 { u in
            ensure(u.count + 2)
            (buf + count).update(from: u.baseAddress!, count: u.count)
            count &+= u.count
            if !u.contains(UInt8(ascii: ".")) && !u.contains(UInt8(ascii: "e")) && !u.contains(UInt8(ascii: "E")) {
                bytes(".0")
            }
        }
    }

    /// Shortest fixed-notation digits of `a` (1e-4 <= a < 1e15) that read
    /// back as `a`: the fewest fraction digits k such that some integer c
    /// with c < 2^53 gives c / 10^k == a. Both c and 10^k (k <= 22) are
    /// exact doubles, so that one division rounds exactly as strtod does on
    /// the text. Writes the number and returns true, or returns false when
    /// it needs more than 15-16 significant digits.
    @inline(__always)
    mutating func fixedFloat(_ a: Double) -> Bool {
        let p10 = JSONTables.powersOfTen
        var k = 0
        while k <= 19 {
            let scale = p10[k]
            let s = a * scale
            if s >= 9007199254740992.0 { return false }
            // Nearest integer (0 <= s < 2^53; truncation is one instruction,
            // unlike rounded(), which calls libm without SSE4.1).
            var c = Double(UInt64(s + 0.5))
            var ok = c / scale == a
            if !ok && (s - c).magnitude >= 0.5 - s.ulp {
                // s (or s + 0.5) was rounded; the nearest integer to the exact
                // product may be the other neighbour.
                let other = s > c ? c + 1 : c - 1
                if other / scale == a {
                    c = other
                    ok = true
                }
            }
            if ok {
                writeFixed(UInt64(c), k)
                return true
            }
            k &+= 1
        }
        return false
    }

    /// Write c / 10^k with exactly k fraction digits (at least one).
    @inline(__always)
    mutating func writeFixed(_ c: UInt64, _ k: Int) {
        let scale = JSONTables.integerPowersOfTen[k]
        integer(Int64(c / scale))
        buf[count] = UInt8(ascii: ".")
        count &+= 1
        if k == 0 {
            buf[count] = UInt8(ascii: "0")
            count &+= 1
            return
        }
        var f = c % scale
        var pos = count &+ k
        while pos > count {
            pos &-= 1
            buf[pos] = UInt8(truncatingIfNeeded: f % 10) &+ 0x30
            f /= 10
        }
        count &+= k
    }

    /// Write `s` quoted and escaped. Returns false on invalid UTF-8.
    /// `s[len]` must be readable and NUL (Lua strings are NUL-terminated).
    @inline(__always)
    mutating func string(_ s: UnsafePointer<UInt8>, _ len: Int) -> Bool {
        ensure(len &* 6 &+ 2)
        var out = buf + count
        out[0] = UInt8(ascii: "\"")
        out += 1
        var i = 0
        while true {
            while len &- i >= 8 {
                let w = UnsafeRawPointer(s + i).loadUnaligned(as: UInt64.self)
                if jsonWordNeedsAttention(w) { break }
                UnsafeMutableRawPointer(out).storeBytes(of: w, as: UInt64.self)
                out += 8
                i &+= 8
            }
            if i == len { break }
            let c = s[i]
            let e = escape[Int(c)]
            if e == 0 {
                out[0] = c
                out += 1
                i &+= 1
                continue
            }
            if e == 1 {
                let n = jsonUTF8SequenceLength(s + i)
                if n == 0 || n > len &- i { return false }
                out.update(from: s + i, count: n)
                out += n
                i &+= n
                continue
            }
            out[0] = UInt8(ascii: "\\")
            out[1] = e
            if e == UInt8(ascii: "u") {
                out[2] = 0x30
                out[3] = 0x30
                out[4] = 0x30 &+ (c >> 4)
                let low = c & 0xF
                out[5] = low < 10 ? 0x30 &+ low : 0x57 &+ low
                out += 6
            } else {
                out += 2
            }
            i &+= 1
        }
        out[0] = UInt8(ascii: "\"")
        out += 1
        count = out - buf
        return true
    }

    // MARK: Values

    mutating func value(_ idx: Int32) throws(JSONEncodeFailure) {
        switch lua_type(L, idx) {
        case LUA_TSTRING:
            var len = 0
            let s = UnsafeRawPointer(lua_tolstring(L, idx, &len)!).assumingMemoryBound(to: UInt8.self)
            if !string(s, len) { throw failure("invalid UTF-8 in string") }
        case LUA_TNUMBER:
            if lua_isinteger(L, idx) != 0 {
                integer(lua_tointegerx(L, idx, nil))
            } else {
                try float(lua_tonumberx(L, idx, nil))
            }
        case LUA_TTABLE:
            try table(idx)
        case LUA_TBOOLEAN:
            if lua_toboolean(L, idx) != 0 { bytes("true") } else { bytes("false") }
        case LUA_TNIL:
            bytes("null")
        case LUA_TLIGHTUSERDATA:
            if lua_touserdata(L, idx) == nil {
                bytes("null")
            } else {
                throw failure("cannot encode a light userdata (only json.null)")
            }
        default:
            throw unsupported(idx)
        }
    }

    mutating func table(_ t: Int32) throws(JSONEncodeFailure) {
        let identity = lua_topointer(L, t)
        for i in 0..<depth where levels[i].table == identity {
            throw failure("table cycle")
        }
        if depth >= JSONCodec.maxDepth || lua_checkstack(L, 6) == 0 {
            throw tooDeep()
        }
        if depth == levelCapacity {
            levelCapacity *= 2
            levels = realloc(levels, MemoryLayout<Level>.stride * levelCapacity)!.assumingMemoryBound(to: Level.self)
        }
        let level = depth
        levels[level] = Level(table: identity, keySlot: 0, index: 0)
        depth = level + 1
        let top = lua_gettop(L)

        switch kind(t) {
        case .array:
            if try !sequentialArray(t, level) {
                try generalArray(t, level, marked: true)
            }
        case .object:
            if sortKeys {
                try sortedObject(t, level, allowIntegerKeys: true)
            } else {
                lua_pushnil(L)
                if lua_next(L, t) == 0 {
                    bytes("{}")
                } else {
                    try streamObject(t, level, allowIntegerKeys: true)
                }
            }
        case .auto:
            lua_pushnil(L)
            if lua_next(L, t) == 0 {
                bytes("{}")
                break
            }
            let keyType = lua_type(L, -2)
            if keyType == LUA_TSTRING {
                if sortKeys {
                    lua_settop(L, top)
                    try sortedObject(t, level, allowIntegerKeys: false)
                } else {
                    try streamObject(t, level, allowIntegerKeys: false)
                }
            } else if keyType == LUA_TNUMBER && lua_isinteger(L, -2) != 0 {
                lua_settop(L, top)
                if try !sequentialArray(t, level) {
                    try generalArray(t, level, marked: false)
                }
            } else {
                throw badKey(-2, level, marked: .auto)
            }
        }
        lua_settop(L, top)
        depth = level
    }

    /// How the table at t is to be written: its marker metatable, or a
    /// `__jsontype` field in any other metatable.
    @inline(__always)
    func kind(_ t: Int32) -> Kind {
        if lua_getmetatable(L, t) == 0 { return .auto }
        let meta = lua_topointer(L, -1)
        defer { lunet_pop(L, 1) }
        if meta == arrayMeta { return .array }
        if meta == objectMeta { return .object }
        lua_pushstring(L, "__jsontype")
        defer { lunet_pop(L, 1) }
        if lua_rawget(L, -2) == LUA_TSTRING {
            var len = 0
            let p = UnsafeRawPointer(lua_tolstring(L, -1, &len)!).assumingMemoryBound(to: UInt8.self)
            let s = UnsafeBufferPointer(start: p, count: len)
            if s.elementsEqual("array".utf8) { return .array }
            if s.elementsEqual("object".utf8) { return .object }
        }
        return .auto
    }

    @inline(__always)
    mutating func separator(_ first: Bool, _ level: Int) {
        if !first { byte(UInt8(ascii: ",")) }
        if pretty { newline(level + 1) }
    }

    @inline(__always)
    mutating func close(_ c: UInt8, _ level: Int) {
        if pretty { newline(level) }
        byte(c)
    }

    /// Write the table as an array while lua_next hands out the keys 1, 2,
    /// 3, ... in order (always true for a sequence in the array part).
    /// Returns false, with output and stack restored, at the first other key.
    mutating func sequentialArray(_ t: Int32, _ level: Int) throws(JSONEncodeFailure) -> Bool {
        let mark = count
        lua_pushnil(L)
        if lua_next(L, t) == 0 {
            bytes("[]")
            return true
        }
        byte(UInt8(ascii: "["))
        var expected: Int64 = 1
        repeat {
            var isInt: Int32 = 0
            let k = lua_type(L, -2) == LUA_TNUMBER ? lua_tointegerx(L, -2, &isInt) : 0
            if isInt == 0 || k != expected {
                lunet_pop(L, 2)
                count = mark
                return false
            }
            levels[level].index = expected
            separator(expected == 1, level)
            try value(lua_gettop(L))
            lunet_pop(L, 1)
            expected &+= 1
        } while lua_next(L, t) != 0
        close(UInt8(ascii: "]"), level)
        return true
    }

    /// Check every key first, then write items 1...n in order.
    mutating func generalArray(_ t: Int32, _ level: Int, marked: Bool) throws(JSONEncodeFailure) {
        var n: Int64 = 0
        var maxKey: Int64 = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            lunet_pop(L, 1)
            var isInt: Int32 = 0
            let k = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isInt) : 0
            if isInt == 0 || k < 1 {
                if !marked && lua_type(L, -1) == LUA_TSTRING {
                    throw failure("table", level: level, "mixes array items and string keys")
                }
                throw badKey(-1, level, marked: marked ? .array : .auto)
            }
            n &+= 1
            if k > maxKey { maxKey = k }
        }
        if maxKey != n { throw holes(t, level, marked: marked) }
        byte(UInt8(ascii: "["))
        var i: Int64 = 1
        while i <= n {
            lua_rawgeti(L, t, i)
            levels[level].index = i
            separator(i == 1, level)
            try value(lua_gettop(L))
            lunet_pop(L, 1)
            i &+= 1
        }
        close(UInt8(ascii: "]"), level)
    }

    /// Write an object in lua_next order; the first key and value are
    /// already on the stack.
    mutating func streamObject(_ t: Int32, _ level: Int, allowIntegerKeys: Bool) throws(JSONEncodeFailure) {
        byte(UInt8(ascii: "{"))
        var first = true
        repeat {
            let valueSlot = lua_gettop(L)
            let keySlot = valueSlot - 1
            separator(first, level)
            first = false
            try key(keySlot, level, allowIntegerKeys: allowIntegerKeys)
            levels[level].keySlot = keySlot
            try value(valueSlot)
            lunet_pop(L, 1)
        } while lua_next(L, t) != 0
        levels[level].keySlot = 0
        close(UInt8(ascii: "}"), level)
    }

    /// Write the key at `slot` and the colon.
    @inline(__always)
    mutating func key(_ slot: Int32, _ level: Int, allowIntegerKeys: Bool) throws(JSONEncodeFailure) {
        let type = lua_type(L, slot)
        if type == LUA_TSTRING {
            var len = 0
            let s = UnsafeRawPointer(lua_tolstring(L, slot, &len)!).assumingMemoryBound(to: UInt8.self)
            if !string(s, len) { throw failure("invalid UTF-8 in object key", level: level) }
        } else if allowIntegerKeys && type == LUA_TNUMBER && lua_isinteger(L, slot) != 0 {
            byte(UInt8(ascii: "\""))
            integer(lua_tointegerx(L, slot, nil))
            byte(UInt8(ascii: "\""))
        } else if !allowIntegerKeys && type == LUA_TNUMBER && lua_isinteger(L, slot) != 0 {
            throw failure("table", level: level, "mixes array items and string keys")
        } else {
            throw badKey(slot, level, marked: .object)
        }
        if pretty { bytes(": ") } else { byte(UInt8(ascii: ":")) }
    }

    mutating func sortedObject(_ t: Int32, _ level: Int, allowIntegerKeys: Bool) throws(JSONEncodeFailure) {
        let base = sortBuffer.count
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            lunet_pop(L, 1)
            let type = lua_type(L, -1)
            if type == LUA_TSTRING {
                var len = 0
                let s = UnsafeRawPointer(lua_tolstring(L, -1, &len)!).assumingMemoryBound(to: UInt8.self)
                sortBuffer.append(SortKey(bytes: s, length: len, integer: 0))
            } else if type == LUA_TNUMBER && lua_isinteger(L, -1) != 0 {
                if !allowIntegerKeys { throw failure("table", level: level, "mixes array items and string keys") }
                sortBuffer.append(SortKey(bytes: nil, length: 0, integer: lua_tointegerx(L, -1, nil)))
            } else {
                throw badKey(-1, level, marked: allowIntegerKeys ? .object : .auto)
            }
        }
        let n = sortBuffer.count - base
        if n == 0 {
            bytes("{}")
            return
        }
        sortBuffer[base...].sort(by: JSONWriter.keyPrecedes)
        byte(UInt8(ascii: "{"))
        for i in 0..<n {
            let k = sortBuffer[base + i]
            if let s = k.bytes {
                s.withMemoryRebound(to: CChar.self, capacity: 1) { _ = lua_pushlstring(L, $0, k.length) }
            } else {
                lua_pushinteger(L, k.integer)
            }
            lua_pushvalue(L, -1)
            lua_rawget(L, t)
            let valueSlot = lua_gettop(L)
            separator(i == 0, level)
            try key(valueSlot - 1, level, allowIntegerKeys: allowIntegerKeys)
            levels[level].keySlot = valueSlot - 1
            try value(valueSlot)
            lunet_pop(L, 2)
        }
        levels[level].keySlot = 0
        sortBuffer.removeSubrange(base...)
        close(UInt8(ascii: "}"), level)
    }

    /// Byte-wise order of the keys as written (integers as decimal text).
    static func keyPrecedes(_ a: SortKey, _ b: SortKey) -> Bool {
        func text(_ k: SortKey) -> [UInt8] {
            if let s = k.bytes { return Array(UnsafeBufferPointer(start: s, count: k.length)) }
            return Array(String(k.integer).utf8)
        }
        if let x = a.bytes, let y = b.bytes {
            let r = memcmp(x, y, min(a.length, b.length))
            return r != 0 ? r < 0 : a.length < b.length
        }
        return text(a).lexicographicallyPrecedes(text(b))
    }

    // MARK: Errors
    // Messages are built in functions that are never inlined, so the
    // recursive functions keep small stack frames (1000 levels deep); they
    // are `mutating` only so that the writer is passed by reference rather
    // than copied onto the caller's frame.

    @inline(never)
    mutating func unsupported(_ idx: Int32) -> JSONEncodeFailure {
        failure("cannot encode a \(LuaCall.typeName(L, idx))")
    }

    @inline(never)
    mutating func tooDeep() -> JSONEncodeFailure {
        failure("nesting deeper than \(JSONCodec.maxDepth) levels")
    }

    @inline(never)
    mutating func notFinite(_ d: Double) -> JSONEncodeFailure {
        failure(d.isNaN ? "cannot encode NaN" : d < 0 ? "cannot encode -inf" : "cannot encode inf")
    }

    /// The error for an array whose integer keys are not 1...n.
    @inline(never)
    mutating func holes(_ t: Int32, _ level: Int, marked: Bool) -> JSONEncodeFailure {
        var missing: Int64 = 1
        while lua_rawgeti(L, t, missing) != LUA_TNIL {
            lunet_pop(L, 1)
            missing += 1
        }
        lunet_pop(L, 1)
        let hint = marked ? "" : "; use json.object() to encode integer keys"
        return failure("array", level: level, "has holes (no item \(missing))\(hint)")
    }

    /// A failure at the value being written (path of all current levels).
    @inline(never)
    mutating func failure(_ problem: String) -> JSONEncodeFailure {
        JSONEncodeFailure(message: "\(problem) at \(path(depth))")
    }

    /// A failure about the table at `level` itself.
    @inline(never)
    mutating func failure(_ problem: String, level: Int) -> JSONEncodeFailure {
        JSONEncodeFailure(message: "\(problem) at \(path(level))")
    }

    @inline(never)
    mutating func failure(_ noun: String, level: Int, _ problem: String) -> JSONEncodeFailure {
        JSONEncodeFailure(message: "\(noun) at \(path(level)) \(problem)")
    }

    /// A key that cannot be written (at stack slot `slot`).
    @inline(never)
    mutating func badKey(_ slot: Int32, _ level: Int, marked: Kind) -> JSONEncodeFailure {
        let type = lua_type(L, slot)
        var what = LuaCall.typeName(L, slot)
        if type == LUA_TNUMBER && lua_isinteger(L, slot) == 0 { what = "float" }
        if marked == .array {
            return failure("array", level: level, "has a key that is not an index (\(describeKey(slot))); arrays take only the keys 1..n")
        }
        if type == LUA_TNUMBER && lua_isinteger(L, slot) != 0 {
            return failure("table", level: level, "has the integer key \(lua_tointegerx(L, slot, nil)), which is not an array index; use json.object() to encode integer keys")
        }
        let article = what.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return failure("cannot use \(article) \(what) as an object key", level: level)
    }

    /// A short description of the key at `slot` for messages.
    func describeKey(_ slot: Int32) -> String {
        switch lua_type(L, slot) {
        case LUA_TSTRING:
            var len = 0
            let p = UnsafeRawPointer(lua_tolstring(L, slot, &len)!).assumingMemoryBound(to: UInt8.self)
            return "\"" + JSONWriter.escapeForMessage(UnsafeBufferPointer(start: p, count: min(len, 60))) + "\""
        case LUA_TNUMBER:
            if lua_isinteger(L, slot) != 0 { return String(lua_tointegerx(L, slot, nil)) }
            return String(lua_tonumberx(L, slot, nil))
        case LUA_TBOOLEAN:
            return lua_toboolean(L, slot) != 0 ? "true" : "false"
        default:
            return "a " + LuaCall.typeName(L, slot)
        }
    }

    static func escapeForMessage(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out = ""
        for c in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    let h = String(c.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// "$", "$.key", "$[3]", "$[\"odd key\"]" for the first `n` levels.
    func path(_ n: Int) -> String {
        var segments: [String] = []
        for i in 0..<n {
            let level = levels[i]
            if level.keySlot == 0 {
                segments.append("[\(level.index)]")
                continue
            }
            let slot = level.keySlot
            switch lua_type(L, slot) {
            case LUA_TSTRING:
                var len = 0
                let p = UnsafeRawPointer(lua_tolstring(L, slot, &len)!).assumingMemoryBound(to: UInt8.self)
                let b = UnsafeBufferPointer(start: p, count: len)
                if JSONWriter.isIdentifier(b) {
                    segments.append("." + String(decoding: b, as: UTF8.self))
                } else {
                    segments.append("[\"" + JSONWriter.escapeForMessage(b) + "\"]")
                }
            case LUA_TNUMBER:
                segments.append("[\(describeKey(slot))]")
            default:
                segments.append("[?]")
            }
        }
        if segments.count > 24 {
            let hidden = segments.count - 20
            segments = Array(segments.prefix(10)) + ["...(\(hidden) more)..."] + Array(segments.suffix(10))
        }
        return "$" + segments.joined()
    }

    static func isIdentifier(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first else { return false }
        func letter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c == 0x5F }
        guard letter(first) else { return false }
        return b.allSatisfy { letter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}

extension JSONCodec {
    /// json.encode(value [, options])
    static func encode(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        let options = try call.options(2, allowed: ["pretty", "sort_keys", "indent"])
        let pretty = try options.bool("pretty") ?? false
        let sortKeys = try options.bool("sort_keys") ?? false
        let indent = try options.string("indent") ?? "  "
        if indent.utf8.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
            throw call.error("option 'indent' must contain only spaces and tabs")
        }
        let argument = call.index(1)
        if lua_gettop(L) < argument { lua_pushnil(L) }
        do {
            try withEncoded(L, at: argument, pretty: pretty, sortKeys: sortKeys, indent: indent) { bytes in
                bytes.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
            }
        } catch {
            throw call.error(error.message)
        }
        return 1
    }

    /// The Lua value at `index` as JSON text (lunet.json's rules). Errors
    /// name the problem and the path ("cannot encode a function at $.cb").
    static func encodeValue(
        _ L: OpaquePointer, at index: Int32, pretty: Bool = false, sortKeys: Bool = false
    ) throws(JSONCodecError) -> [UInt8] {
        try withEncoded(L, at: index, pretty: pretty, sortKeys: sortKeys, indent: "  ") { Array($0) }
    }

    /// Encode, then hand the bytes (valid only inside `body`) to `body`.
    static func withEncoded<R>(
        _ L: OpaquePointer, at index: Int32, pretty: Bool, sortKeys: Bool, indent: String,
        _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) throws(JSONCodecError) -> R {
        if lua_checkstack(L, 8) == 0 { throw JSONCodecError(message: "stack overflow") }
        let argument = lua_absindex(L, index)
        // No collection (and so no finalizer) runs while tables are walked.
        let gcWasRunning = lunet_gc_isrunning(L) == 1
        if gcWasRunning { _ = lunet_gc_stop(L) }
        defer { if gcWasRunning { _ = lunet_gc_restart(L) } }
        var writer = JSONWriter(L: L, pretty: pretty, sortKeys: sortKeys, indent: Array(indent.utf8))
        defer { writer.release() }
        do {
            try writer.value(argument)
        } catch {
            throw JSONCodecError(message: error.message)
        }
        return body(UnsafeBufferPointer(start: writer.buf, count: writer.count))
    }
}

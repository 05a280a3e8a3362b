import CLuaShim
import LunetBridge

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a decode failed, and where (1-based byte offset).
struct JSONDecodeFailure: Error {
    enum Problem {
        case endOfInput
        case unexpected(UInt8)
        case invalidNumber
        case numberOutOfRange
        case controlCharacter
        case invalidEscape(UInt8)
        case invalidUnicodeEscape
        case loneSurrogate(UInt32)
        case invalidUTF8
        case trailingGarbage
        case tooDeep
        case expectedColon
        case expectedKey
        case trailingComma(UInt8)
        case expectedCommaOrEnd(UInt8)
    }
    var problem: Problem
    var offset: Int

    var message: String {
        let what: String
        switch problem {
        case .endOfInput: what = "unexpected end of input"
        case .unexpected(let c): what = "unexpected character \(JSONDecodeFailure.show(c))"
        case .invalidNumber: what = "invalid number"
        case .numberOutOfRange: what = "number out of range"
        case .controlCharacter: what = "control character in string"
        case .invalidEscape(let c):
            what = c >= 0x21 && c < 0x7F ? "invalid escape '\\\(Character(Unicode.Scalar(c)))'" : "invalid escape"
        case .invalidUnicodeEscape: what = "invalid \\u escape"
        case .loneSurrogate(let u):
            let h = String(u, radix: 16, uppercase: true)
            what = "lone surrogate \\u\(h)"
        case .invalidUTF8: what = "invalid UTF-8"
        case .trailingGarbage: what = "trailing garbage"
        case .tooDeep: what = "nesting deeper than \(JSONCodec.maxDepth) levels"
        case .expectedColon: what = "expected ':' after object key"
        case .expectedKey: what = "expected a string as object key"
        case .trailingComma(let c): what = "trailing comma before '\(Character(Unicode.Scalar(c)))'"
        case .expectedCommaOrEnd(let c):
            what = c == UInt8(ascii: "]") ? "expected ',' or ']' after array item" : "expected ',' or '}' after object member"
        }
        return "\(what) at byte \(offset)"
    }

    /// 'x' for printable ASCII, '\xNN' otherwise.
    static func show(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        let h = String(c, radix: 16, uppercase: true)
        return "'\\x\(h.count == 1 ? "0" + h : h)'"
    }
}

/// Single-pass JSON decoder that pushes Lua values straight onto the stack.
///
/// The input is a Lua string, so `end.pointee == 0`: the terminating NUL is
/// the sentinel every loop stops at (NUL is invalid everywhere in JSON), and
/// only then does the code ask whether it is the real end of the input.
struct JSONReader {
    let L: OpaquePointer
    let start: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>
    var p: UnsafePointer<UInt8>
    /// Current nesting (arrays + objects).
    var depth: Int = 0
    /// Absolute stack index of the shared array-marker metatable.
    let arrayMeta: Int32
    /// Object keys seen recently: a direct-mapped cache of interned Lua
    /// strings, kept alive in a table at stack slot `keyCacheSlot` (made on
    /// the first key), so a repeated key costs one rawgeti instead of being
    /// hashed and looked up in Lua's string table again.
    let keyCacheSlot: Int32
    var keyCache: UnsafeMutablePointer<KeyCacheEntry>? = nil
    static let keyCacheSize = 256
    struct KeyCacheEntry {
        var bytes: UnsafePointer<UInt8>?
        var length: Int
    }
    /// Growable buffer for strings that contain escapes.
    var scratch: UnsafeMutablePointer<UInt8>? = nil
    var scratchCapacity: Int = 0
    /// Size of the last finished array/object at each shallow depth: the size
    /// hint for the next one (records in an array usually share a shape).
    let hints: UnsafeMutablePointer<Int32>
    static let hintLevels = 32

    let stop = JSONTables.stringStop
    let hex = JSONTables.hex

    init(
        L: OpaquePointer, bytes: UnsafePointer<UInt8>, count: Int, arrayMeta: Int32, keyCacheSlot: Int32,
        hints: UnsafeMutablePointer<Int32>
    ) {
        self.L = L
        self.keyCacheSlot = keyCacheSlot
        self.start = bytes
        self.end = bytes + count
        self.p = bytes
        self.arrayMeta = arrayMeta
        self.hints = hints
    }

    @inline(__always)
    func fail(_ problem: JSONDecodeFailure.Problem, at q: UnsafePointer<UInt8>) -> JSONDecodeFailure {
        JSONDecodeFailure(problem: problem, offset: q - start + 1)
    }

    /// The error for byte `c` at `q` where something else was expected.
    @inline(__always)
    func unexpected(at q: UnsafePointer<UInt8>) -> JSONDecodeFailure {
        let c = q.pointee
        if c == 0 && q == end { return fail(.endOfInput, at: q) }
        return fail(.unexpected(c), at: q)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while true {
            let c = p.pointee
            if c > 0x20 { return }
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { p += 1 } else { return }
        }
    }

    mutating func decodeDocument() throws(JSONDecodeFailure) {
        skipWhitespace()
        // An empty document is reported at its start, whitespace or not.
        if p == end { throw fail(.endOfInput, at: start) }
        try value()
        skipWhitespace()
        if p != end { throw fail(.trailingGarbage, at: p) }
    }

    // MARK: Values

    mutating func value() throws(JSONDecodeFailure) {
        let c = p.pointee
        switch c {
        case UInt8(ascii: "\""):
            try string()
        case UInt8(ascii: "{"):
            try object()
        case UInt8(ascii: "["):
            try array()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
        case UInt8(ascii: "t"):
            try literal(0x65_75_72_74)  // "true"
            lua_pushboolean(L, 1)
        case UInt8(ascii: "f"):
            if p[1] == UInt8(ascii: "a") {
                p += 1
                try literal(0x65_73_6C_61)  // "alse"
            } else {
                throw unexpected(at: p + 1)
            }
            lua_pushboolean(L, 0)
        case UInt8(ascii: "n"):
            try literal(0x6C_6C_75_6E)  // "null"
            lua_pushlightuserdata(L, nil)
        default:
            throw unexpected(at: p)
        }
    }

    /// Match the four bytes of `word` (little-endian) at p, byte by byte so
    /// that nothing past a NUL is read.
    @inline(__always)
    mutating func literal(_ word: UInt32) throws(JSONDecodeFailure) {
        var w = word
        for i in 0..<4 {
            if p[i] != UInt8(truncatingIfNeeded: w) { throw unexpected(at: p + i) }
            w >>= 8
        }
        p += 4
    }

    // MARK: Containers

    @inline(__always)
    mutating func enter() throws(JSONDecodeFailure) {
        depth &+= 1
        if depth > JSONCodec.maxDepth || lua_checkstack(L, 4) == 0 {
            throw fail(.tooDeep, at: p)
        }
    }

    @inline(__always)
    func hint() -> Int32 { depth < JSONReader.hintLevels ? hints[depth] : 0 }

    @inline(__always)
    func remember(_ n: Int) {
        if depth < JSONReader.hintLevels { hints[depth] = Int32(truncatingIfNeeded: min(n, 64)) }
    }

    mutating func array() throws(JSONDecodeFailure) {
        try enter()
        lua_createtable(L, hint(), 0)
        lua_pushvalue(L, arrayMeta)
        lua_setmetatable(L, -2)
        p += 1
        skipWhitespace()
        if p.pointee == UInt8(ascii: "]") {
            p += 1
            remember(0)
            depth &-= 1
            return
        }
        var n: lua_Integer = 0
        while true {
            try value()
            n &+= 1
            lua_rawseti(L, -2, n)
            skipWhitespace()
            let c = p.pointee
            if c == UInt8(ascii: ",") {
                p += 1
                skipWhitespace()
                if p.pointee == UInt8(ascii: "]") { throw fail(.trailingComma(UInt8(ascii: "]")), at: p) }
                continue
            }
            if c == UInt8(ascii: "]") {
                p += 1
                break
            }
            if c == 0 && p == end { throw fail(.endOfInput, at: p) }
            throw fail(.expectedCommaOrEnd(UInt8(ascii: "]")), at: p)
        }
        remember(Int(n))
        depth &-= 1
    }

    mutating func object() throws(JSONDecodeFailure) {
        try enter()
        lua_createtable(L, 0, hint())
        p += 1
        skipWhitespace()
        if p.pointee == UInt8(ascii: "}") {
            p += 1
            remember(0)
            depth &-= 1
            return
        }
        var n = 0
        while true {
            if p.pointee != UInt8(ascii: "\"") {
                if p.pointee == 0 && p == end { throw fail(.endOfInput, at: p) }
                throw fail(.expectedKey, at: p)
            }
            try key()
            skipWhitespace()
            if p.pointee != UInt8(ascii: ":") {
                if p.pointee == 0 && p == end { throw fail(.endOfInput, at: p) }
                throw fail(.expectedColon, at: p)
            }
            p += 1
            skipWhitespace()
            try value()
            lua_rawset(L, -3)
            n &+= 1
            skipWhitespace()
            let c = p.pointee
            if c == UInt8(ascii: ",") {
                p += 1
                skipWhitespace()
                if p.pointee == UInt8(ascii: "}") { throw fail(.trailingComma(UInt8(ascii: "}")), at: p) }
                continue
            }
            if c == UInt8(ascii: "}") {
                p += 1
                break
            }
            if c == 0 && p == end { throw fail(.endOfInput, at: p) }
            throw fail(.expectedCommaOrEnd(UInt8(ascii: "}")), at: p)
        }
        remember(n)
        depth &-= 1
    }

    // MARK: Numbers

    @inline(__always)
    static func digit(_ c: UInt8) -> UInt64? {
        let d = c &- 0x30
        return d < 10 ? UInt64(d) : nil
    }

    mutating func number() throws(JSONDecodeFailure) {
        let numberStart = p
        var q = p
        let negative = q.pointee == UInt8(ascii: "-")
        if negative { q += 1 }
        // Integer part.
        var mantissa: UInt64 = 0
        let digitsStart = q
        if q.pointee == UInt8(ascii: "0") {
            q += 1
            if Self.digit(q.pointee) != nil { throw fail(.invalidNumber, at: q) }
        } else if let d = Self.digit(q.pointee) {
            mantissa = d
            q += 1
            while let d = Self.digit(q.pointee) {
                mantissa = mantissa &* 10 &+ d
                q += 1
            }
        } else {
            throw fail(.invalidNumber, at: q)
        }
        let integerDigits = q - digitsStart
        var c = q.pointee
        if c != UInt8(ascii: ".") && c | 0x20 != UInt8(ascii: "e") {
            p = q
            // An integer. Up to 19 digits cannot overflow UInt64.
            if integerDigits <= 19 {
                if negative {
                    if mantissa == 0 {
                        lua_pushnumber(L, -0.0)
                        return
                    }
                    if mantissa <= 1 << 63 {
                        lua_pushinteger(L, lua_Integer(bitPattern: 0 &- mantissa))
                        return
                    }
                } else if mantissa <= UInt64(Int64.max) {
                    lua_pushinteger(L, lua_Integer(bitPattern: mantissa))
                    return
                }
            }
            try slowFloat(numberStart)
            return
        }
        // Fraction and exponent: a float.
        var significant = integerDigits
        var fractionDigits = 0
        if c == UInt8(ascii: ".") {
            q += 1
            guard let d = Self.digit(q.pointee) else { throw fail(.invalidNumber, at: q) }
            mantissa = mantissa &* 10 &+ d
            q += 1
            fractionDigits = 1
            while let d = Self.digit(q.pointee) {
                mantissa = mantissa &* 10 &+ d
                q += 1
                fractionDigits &+= 1
            }
            significant &+= fractionDigits
            c = q.pointee
        }
        var exponent = 0
        if c | 0x20 == UInt8(ascii: "e") {
            q += 1
            var expNegative = false
            if q.pointee == UInt8(ascii: "+") {
                q += 1
            } else if q.pointee == UInt8(ascii: "-") {
                expNegative = true
                q += 1
            }
            guard let d = Self.digit(q.pointee) else { throw fail(.invalidNumber, at: q) }
            exponent = Int(d)
            q += 1
            while let d = Self.digit(q.pointee) {
                if exponent < 100_000 { exponent = exponent &* 10 &+ Int(d) }
                q += 1
            }
            if expNegative { exponent = -exponent }
        }
        p = q
        // Clinger's fast path: a significand below 2^53 and a power of ten
        // up to 1e22 are both exact doubles, so one multiplication or
        // division rounds correctly, exactly as strtod would.
        let e10 = exponent - fractionDigits
        if significant <= 19 && mantissa <= 1 << 53 && e10 >= -22 && e10 <= 22 {
            var d = Double(mantissa)
            if e10 < 0 {
                d /= JSONTables.powersOfTen[-e10]
            } else {
                d *= JSONTables.powersOfTen[e10]
            }
            lua_pushnumber(L, negative ? -d : d)
            return
        }
        try slowFloat(numberStart)
    }

    /// strtod over an already validated number (the input is NUL-terminated
    /// and LC_NUMERIC is "C").
    mutating func slowFloat(_ numberStart: UnsafePointer<UInt8>) throws(JSONDecodeFailure) {
        let d = numberStart.withMemoryRebound(to: CChar.self, capacity: 1) { strtod($0, nil) }
        if !d.isFinite { throw fail(.numberOutOfRange, at: numberStart) }
        lua_pushnumber(L, d)
    }

    // MARK: Strings

    /// p is at the opening quote. Pushes the string; p ends after the quote.
    @inline(__always)
    mutating func string() throws(JSONDecodeFailure) {
        let s = p + 1
        var q = s
        while true {
            // Eight bytes at a time while they are plain ASCII.
            while end - q >= 8 {
                let w = UnsafeRawPointer(q).loadUnaligned(as: UInt64.self)
                if jsonWordNeedsAttention(w) { break }
                q += 8
            }
            var c = q.pointee
            while stop[Int(c)] == 0 {
                q += 1
                c = q.pointee
            }
            if c == UInt8(ascii: "\"") {
                s.withMemoryRebound(to: CChar.self, capacity: 1) { _ = lua_pushlstring(L, $0, q - s) }
                p = q + 1
                return
            }
            if c >= 0x80 {
                let n = jsonUTF8SequenceLength(q)
                if n == 0 { throw utf8Failure(q) }
                q += n
                continue
            }
            if c == UInt8(ascii: "\\") {
                try escapedString(s, q)
                return
            }
            if c == 0 && q == end { throw fail(.endOfInput, at: q) }
            throw fail(.controlCharacter, at: q)
        }
    }

    /// An object key (p at its opening quote): plain ASCII keys of up to 40
    /// bytes go through the key cache, anything else through string().
    @inline(__always)
    mutating func key() throws(JSONDecodeFailure) {
        let s = p + 1
        var q = s
        while stop[Int(q.pointee)] == 0 { q += 1 }
        let len = q - s
        if q.pointee != UInt8(ascii: "\"") || len == 0 || len > 40 {
            try string()
            return
        }
        p = q + 1
        var h = UInt32(truncatingIfNeeded: len) &* 31 &+ UInt32(s[0])
        h = h &* 31 &+ UInt32(s[len &- 1])
        h = h &* 31 &+ UInt32(s[len >> 1])
        h ^= h >> 8
        let slot = Int(h) & (JSONReader.keyCacheSize - 1)
        let cache = keyCache ?? makeKeyCache()
        let entry = cache + slot
        if entry.pointee.length == len && memcmp(entry.pointee.bytes!, s, len) == 0 {
            lua_rawgeti(L, keyCacheSlot, lua_Integer(slot &+ 1))
            return
        }
        s.withMemoryRebound(to: CChar.self, capacity: 1) { _ = lua_pushlstring(L, $0, len) }
        lua_pushvalue(L, -1)
        lua_rawseti(L, keyCacheSlot, lua_Integer(slot &+ 1))
        let interned = lua_tolstring(L, -1, nil)!
        entry.pointee = KeyCacheEntry(bytes: UnsafeRawPointer(interned).assumingMemoryBound(to: UInt8.self), length: len)
    }

    @inline(never)
    mutating func makeKeyCache() -> UnsafeMutablePointer<KeyCacheEntry> {
        let cache = UnsafeMutablePointer<KeyCacheEntry>.allocate(capacity: JSONReader.keyCacheSize)
        cache.initialize(repeating: KeyCacheEntry(bytes: nil, length: -1), count: JSONReader.keyCacheSize)
        keyCache = cache
        lua_createtable(L, Int32(JSONReader.keyCacheSize), 0)
        lunet_replace(L, keyCacheSlot)
        return cache
    }

    /// The error for an invalid UTF-8 sequence starting at q: the end of the
    /// input if the sequence was cut short by it.
    func utf8Failure(_ q: UnsafePointer<UInt8>) -> JSONDecodeFailure {
        var r = q + 1
        while r < end && r - q < 4 && r.pointee & 0xC0 == 0x80 { r += 1 }
        if r == end && q.pointee >= 0xC2 && q.pointee < 0xF5 && r - q < 4 {
            return fail(.endOfInput, at: end)
        }
        return fail(.invalidUTF8, at: q)
    }

    @inline(__always)
    mutating func reserve(_ used: Int, _ more: Int) {
        if used + more > scratchCapacity {
            let cap = max(scratchCapacity * 2, used + more, 256)
            let raw = realloc(scratch, cap)!
            scratch = raw.assumingMemoryBound(to: UInt8.self)
            scratchCapacity = cap
        }
    }

    /// The slow path for a string with escapes, decoded into `scratch`.
    /// `s` is its first byte, `q` the first backslash.
    mutating func escapedString(_ s: UnsafePointer<UInt8>, _ firstEscape: UnsafePointer<UInt8>) throws(JSONDecodeFailure) {
        var q = firstEscape
        var n = q - s
        reserve(0, n + 16)
        scratch!.update(from: s, count: n)
        while true {
            var c = q.pointee
            if c == UInt8(ascii: "\"") {
                scratch!.withMemoryRebound(to: CChar.self, capacity: 1) { _ = lua_pushlstring(L, $0, n) }
                p = q + 1
                return
            }
            if c == UInt8(ascii: "\\") {
                reserve(n, 4)
                let out = scratch!
                let e = q[1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                    out[n] = e
                case UInt8(ascii: "b"): out[n] = 0x08
                case UInt8(ascii: "f"): out[n] = 0x0C
                case UInt8(ascii: "n"): out[n] = 0x0A
                case UInt8(ascii: "r"): out[n] = 0x0D
                case UInt8(ascii: "t"): out[n] = 0x09
                case UInt8(ascii: "u"):
                    var u = try hex4(q)
                    var len = 6
                    if u >= 0xD800 && u < 0xDC00 {
                        // A high surrogate must be followed by \u and a low one.
                        guard q[6] == UInt8(ascii: "\\") && q[7] == UInt8(ascii: "u") else {
                            if q[6] == 0 && q + 6 == end { throw fail(.endOfInput, at: end) }
                            throw fail(.loneSurrogate(u), at: q)
                        }
                        let low = try hex4(q + 6)
                        guard low >= 0xDC00 && low < 0xE000 else { throw fail(.loneSurrogate(u), at: q) }
                        u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                        len = 12
                    } else if u >= 0xDC00 && u < 0xE000 {
                        throw fail(.loneSurrogate(u), at: q)
                    }
                    n += Self.putUTF8(u, out + n)
                    q += len
                    continue
                default:
                    if e == 0 && q + 1 == end { throw fail(.endOfInput, at: end) }
                    throw fail(.invalidEscape(e), at: q)
                }
                n += 1
                q += 2
                continue
            }
            if c >= 0x80 {
                let len = jsonUTF8SequenceLength(q)
                if len == 0 { throw utf8Failure(q) }
                reserve(n, len)
                (scratch! + n).update(from: q, count: len)
                n += len
                q += len
                continue
            }
            if stop[Int(c)] == 0 {
                // A run of plain bytes.
                let runStart = q
                repeat {
                    q += 1
                    c = q.pointee
                } while stop[Int(c)] == 0
                let len = q - runStart
                reserve(n, len)
                (scratch! + n).update(from: runStart, count: len)
                n += len
                continue
            }
            if c == 0 && q == end { throw fail(.endOfInput, at: q) }
            throw fail(.controlCharacter, at: q)
        }
    }

    /// The four hex digits of the \u escape whose backslash is at q.
    @inline(__always)
    func hex4(_ q: UnsafePointer<UInt8>) throws(JSONDecodeFailure) -> UInt32 {
        var u: UInt32 = 0
        for i in 2..<6 {
            let h = hex[Int(q[i])]
            if h == 0xFF {
                if q[i] == 0 && q + i == end { throw fail(.endOfInput, at: end) }
                throw fail(.invalidUnicodeEscape, at: q)
            }
            u = u << 4 | UInt32(h)
        }
        return u
    }

    @inline(__always)
    static func putUTF8(_ u: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if u < 0x80 {
            out[0] = UInt8(u)
            return 1
        }
        if u < 0x800 {
            out[0] = UInt8(0xC0 | u >> 6)
            out[1] = UInt8(0x80 | u & 0x3F)
            return 2
        }
        if u < 0x10000 {
            out[0] = UInt8(0xE0 | u >> 12)
            out[1] = UInt8(0x80 | (u >> 6) & 0x3F)
            out[2] = UInt8(0x80 | u & 0x3F)
            return 3
        }
        out[0] = UInt8(0xF0 | u >> 18)
        out[1] = UInt8(0x80 | (u >> 12) & 0x3F)
        out[2] = UInt8(0x80 | (u >> 6) & 0x3F)
        out[3] = UInt8(0x80 | u & 0x3F)
        return 4
    }
}

extension JSONCodec {
    /// json.decode(text)
    static func decode(_ call: LuaCall) throws -> Int32 {
        let bytes = try call.bytes(1)  // a Lua string: NUL-terminated
        do {
            try pushDecoded(call.L, terminated: bytes)
        } catch {
            throw call.error(error.message)
        }
        return 1
    }

    /// Decode `bytes` and push the value (lunet.json's rules), for Swift code
    /// that hands stored or received JSON to Lua.
    static func pushDecoded(_ L: OpaquePointer, _ bytes: UnsafeRawBufferPointer) throws(JSONCodecError) {
        // The reader looks one byte past a number, as strtod does: give it
        // the NUL terminator a Lua string would have.
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
        defer { copy.deallocate() }
        copy.copyMemory(from: bytes)
        copy[bytes.count] = 0
        try pushDecoded(L, terminated: UnsafeRawBufferPointer(rebasing: copy[0..<bytes.count]))
    }

    /// `bytes` must be followed by a NUL byte (as every Lua string is).
    static func pushDecoded(_ L: OpaquePointer, terminated bytes: UnsafeRawBufferPointer) throws(JSONCodecError) {
        guard let start = bytes.baseAddress else {
            throw JSONCodecError(message: "unexpected end of input at byte 1")
        }
        let base = start.assumingMemoryBound(to: UInt8.self)
        let gcWasRunning = lunet_gc_isrunning(L) == 1
        if gcWasRunning { _ = lunet_gc_stop(L) }
        defer { if gcWasRunning { _ = lunet_gc_restart(L) } }
        if lua_checkstack(L, 8) == 0 { throw JSONCodecError(message: "stack overflow") }
        let slotsBelow = lua_gettop(L)
        lua_pushnil(L)  // becomes the key cache
        let keyCacheSlot = lua_gettop(L)
        pushMarker(L, arrayMarkerKey)
        let meta = lua_gettop(L)
        let hints = UnsafeMutablePointer<Int32>.allocate(capacity: JSONReader.hintLevels)
        hints.initialize(repeating: 0, count: JSONReader.hintLevels)
        var reader = JSONReader(
            L: L, bytes: base, count: bytes.count, arrayMeta: meta, keyCacheSlot: keyCacheSlot, hints: hints)
        defer {
            hints.deallocate()
            free(reader.scratch)
            reader.keyCache?.deallocate()
        }
        do {
            try reader.decodeDocument()
        } catch {
            lua_settop(L, slotsBelow)
            throw JSONCodecError(message: error.message)
        }
        // drop the key cache and the marker below the value
        lunet_remove(L, slotsBelow + 1)
        lunet_remove(L, slotsBelow + 1)
    }
}

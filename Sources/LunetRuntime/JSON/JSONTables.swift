/// Lookup tables shared by the JSON decoder and encoder, built once per
/// process and read through raw pointers in the hot loops (no bounds checks,
/// no lazy-initialisation check per byte).
enum JSONTables {
    /// Decoder string scan: 0 = an ordinary ASCII byte inside a string,
    /// 1 = needs attention ('"', '\\', a control character, NUL, or a byte
    /// >= 0x80 that starts a UTF-8 sequence).
    nonisolated(unsafe) static let stringStop: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for i in 0..<256 {
            t[i] = (i < 0x20 || i == 0x22 || i == 0x5C || i >= 0x80) ? 1 : 0
        }
        return UnsafePointer(t)
    }()

    /// Encoder escaping: 0 = copy as is; otherwise the byte that follows the
    /// backslash ('"', '\\', 'b', 'f', 'n', 'r', 't'), 'u' for \u00XX, or 1
    /// for a byte >= 0x80 (UTF-8, validated and copied).
    nonisolated(unsafe) static let escape: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for i in 0..<256 {
            switch i {
            case 0x22: t[i] = 0x22
            case 0x5C: t[i] = 0x5C
            case 0x08: t[i] = UInt8(ascii: "b")
            case 0x0C: t[i] = UInt8(ascii: "f")
            case 0x0A: t[i] = UInt8(ascii: "n")
            case 0x0D: t[i] = UInt8(ascii: "r")
            case 0x09: t[i] = UInt8(ascii: "t")
            case 0..<0x20: t[i] = UInt8(ascii: "u")
            case 0x80...: t[i] = 1
            default: t[i] = 0
            }
        }
        return UnsafePointer(t)
    }()

    /// Hex digit values; 0xFF for anything else.
    nonisolated(unsafe) static let hex: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for i in 0..<256 {
            switch i {
            case 0x30...0x39: t[i] = UInt8(i - 0x30)
            case 0x41...0x46: t[i] = UInt8(i - 0x41 + 10)
            case 0x61...0x66: t[i] = UInt8(i - 0x61 + 10)
            default: t[i] = 0xFF
            }
        }
        return UnsafePointer(t)
    }()

    /// "00" "01" ... "99": two ASCII digits per entry, for integer output.
    nonisolated(unsafe) static let digitPairs: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 200)
        for i in 0..<100 {
            t[2 * i] = UInt8(0x30 + i / 10)
            t[2 * i + 1] = UInt8(0x30 + i % 10)
        }
        return UnsafePointer(t)
    }()

    /// 10^0 ... 10^19 as integers.
    nonisolated(unsafe) static let integerPowersOfTen: UnsafePointer<UInt64> = {
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: 20)
        var p: UInt64 = 1
        for i in 0...19 {
            t[i] = p
            if i < 19 { p *= 10 }
        }
        return UnsafePointer(t)
    }()

    /// 1e0 ... 1e22: the powers of ten a Double holds exactly.
    nonisolated(unsafe) static let powersOfTen: UnsafePointer<Double> = {
        let t = UnsafeMutablePointer<Double>.allocate(capacity: 23)
        var p = 1.0
        for i in 0...22 {
            t[i] = p
            p *= 10
        }
        return UnsafePointer(t)
    }()
}

/// UTF-8 validation shared by both directions (RFC 3629: no overlongs, no
/// encoded surrogates, nothing above U+10FFFF).
///
/// `q` points at a byte >= 0x80. Returns the length of the valid sequence
/// starting there, or 0. Reads stop at the first byte that does not fit, so
/// with a terminating NUL (Lua strings have one) nothing past the end is read.
@inline(__always)
func jsonUTF8SequenceLength(_ q: UnsafePointer<UInt8>) -> Int {
    let c = q[0]
    if c < 0xC2 { return 0 }
    @inline(__always) func cont(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
    if c < 0xE0 {
        return cont(q[1]) ? 2 : 0
    }
    if c < 0xF0 {
        let b = q[1]
        let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80
        let hi: UInt8 = c == 0xED ? 0x9F : 0xBF
        guard b >= lo && b <= hi else { return 0 }
        return cont(q[2]) ? 3 : 0
    }
    if c < 0xF5 {
        let b = q[1]
        let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80
        let hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
        guard b >= lo && b <= hi else { return 0 }
        guard cont(q[2]) else { return 0 }
        return cont(q[3]) ? 4 : 0
    }
    return 0
}

/// SWAR test: does any of the 8 bytes need attention inside a JSON string
/// (< 0x20, '"', '\\' or >= 0x80)?
@inline(__always)
func jsonWordNeedsAttention(_ v: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let lt20 = (v &- ones &* 0x20) & ~v
    let q = v ^ (ones &* 0x22)
    let quote = (q &- ones) & ~q
    let b = v ^ (ones &* 0x5C)
    let backslash = (b &- ones) & ~b
    return ((lt20 | quote | backslash) & high) | (v & high) != 0
}

/// gzip and zlib ("deflate" in HTTP) encoders for `/test/gzip`: real
/// compression (LZ77 with fixed Huffman codes, RFC 1951 §3.2.6), small
/// enough to own, since the sandbox has no zlib binding of its own.
enum Compression {
    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        out += deflate(data)
        let crc = crc32(data)
        let size = UInt32(truncatingIfNeeded: data.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return out
    }

    /// zlib format (RFC 1950), which is what `Content-Encoding: deflate` means.
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out += deflate(data)
        let adler = adler32(data)
        for shift in [24, 16, 8, 0] { out.append(UInt8(truncatingIfNeeded: adler >> UInt32(shift))) }
        return out
    }

    /// One final block with the fixed Huffman codes; matches found with a
    /// hash of the next three bytes (one candidate each, window 32 KiB).
    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE = 01, fixed codes
        var table = [Int](repeating: -1, count: 1 << 15)
        var i = 0
        while i < data.count {
            var matchLength = 0
            var distance = 0
            if i + 3 <= data.count {
                let hash = (Int(data[i]) << 10 ^ Int(data[i + 1]) << 5 ^ Int(data[i + 2])) & 0x7FFF
                let candidate = table[hash]
                table[hash] = i
                if candidate >= 0, i - candidate <= 32768 {
                    var n = 0
                    while n < 258, i + n < data.count, data[candidate + n] == data[i + n] { n += 1 }
                    if n >= 3 {
                        matchLength = n
                        distance = i - candidate
                    }
                }
            }
            if matchLength >= 3 {
                writeLength(&bits, matchLength)
                writeDistance(&bits, distance)
                i += matchLength
            } else {
                writeLiteral(&bits, Int(data[i]))
                i += 1
            }
        }
        writeLiteral(&bits, 256)  // end of block
        return bits.finish()
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Fixed literal/length code (RFC 1951 §3.2.6), written MSB first.
    private static func writeLiteral(_ bits: inout BitWriter, _ value: Int) {
        switch value {
        case 0...143: bits.writeCode(0x30 + value, count: 8)
        case 144...255: bits.writeCode(0x190 + value - 144, count: 9)
        case 256...279: bits.writeCode(value - 256, count: 7)
        default: bits.writeCode(0xC0 + value - 280, count: 8)
        }
    }

    private static func writeLength(_ bits: inout BitWriter, _ length: Int) {
        var code = lengthBase.count - 1
        while lengthBase[code] > length { code -= 1 }
        writeLiteral(&bits, 257 + code)
        bits.write(UInt32(length - lengthBase[code]), count: lengthExtra[code])
    }

    private static func writeDistance(_ bits: inout BitWriter, _ distance: Int) {
        var code = distanceBase.count - 1
        while distanceBase[code] > distance { code -= 1 }
        bits.writeCode(code, count: 5)
        bits.write(UInt32(distance - distanceBase[code]), count: distanceExtra[code])
    }

    private struct BitWriter {
        var bytes: [UInt8] = []
        var accumulator: UInt32 = 0
        var filled = 0

        /// Data bits, least significant first.
        mutating func write(_ value: UInt32, count: Int) {
            for i in 0..<count {
                accumulator |= ((value >> UInt32(i)) & 1) << UInt32(filled)
                filled += 1
                if filled == 8 {
                    bytes.append(UInt8(accumulator))
                    accumulator = 0
                    filled = 0
                }
            }
        }

        /// Huffman codes, most significant first.
        mutating func writeCode(_ code: Int, count: Int) {
            for i in (0..<count).reversed() { write(UInt32((code >> i) & 1), count: 1) }
        }

        mutating func finish() -> [UInt8] {
            if filled > 0 { bytes.append(UInt8(accumulator)) }
            return bytes
        }
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }
}

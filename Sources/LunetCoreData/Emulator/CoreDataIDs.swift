import Foundation

/// Object ids and snapshot ids look like the service's (time-based UUIDs,
/// `2f2672e8-71cf-11ee-848e-47ba9faefc74`). Demo ids are derived from a
/// number so a data set is the same on every run; new ones are random.
enum CoreDataIDs {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(generator.next(), generator.next())
    }

    /// A fixed id for demo object `number` of `kind`.
    static func demo(_ kind: String, _ number: Int) -> String {
        var state = UInt64(number) &* 0x9E37_79B9_7F4A_7C15
        for byte in kind.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return make(splitMix(&state), splitMix(&state))
    }

    private static func make(_ high: UInt64, _ low: UInt64) -> String {
        func hex(_ value: UInt64, _ width: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        // Version 1 and the RFC 4122 variant, as the service's UUIDs have.
        return hex(high >> 32, 8) + "-" + hex((high >> 16) & 0xFFFF, 4) + "-" + hex(0x1000 | (high & 0x0FFF), 4) + "-"
            + hex(0x8000 | ((low >> 48) & 0x3FFF), 4) + "-" + hex(low & 0xFFFF_FFFF_FFFF, 12)
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

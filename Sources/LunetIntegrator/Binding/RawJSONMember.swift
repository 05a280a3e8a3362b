/// The exact bytes of one member of a JSON object, without decoding it:
/// integrator.io's `pagedExportState` is signed, so the binding sends back
/// the very text the server answered rather than a re-encoded copy (whose
/// key order or number spelling could differ).
enum RawJSONMember {
    /// The text of the value of top-level member `key` in the object `json`,
    /// or nil when `json` is not an object or has no such member.
    static func find(_ key: String, in json: [UInt8]) -> [UInt8]? {
        var scanner = Scanner(bytes: json)
        let wanted = Array(key.utf8)
        scanner.skipSpace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        while true {
            scanner.skipSpace()
            guard let name = scanner.stringBody() else { return nil }
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipSpace()
            let start = scanner.i
            guard scanner.skipValue() else { return nil }
            if name.elementsEqual(wanted) { return Array(json[start..<scanner.i]) }
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            return nil
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        /// A string's raw bytes between the quotes (escapes left as they are).
        mutating func stringBody() -> ArraySlice<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = i
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\\"): i += 2
                case UInt8(ascii: "\""):
                    defer { i += 1 }
                    return bytes[start..<i]
                default: i += 1
                }
            }
            return nil
        }

        /// Past one value of any kind; false when the text ends first.
        mutating func skipValue() -> Bool {
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "\""):
                return stringBody() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < bytes.count {
                    switch bytes[i] {
                    case UInt8(ascii: "\""):
                        guard stringBody() != nil else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { i += 1; return true }
                    default: break
                    }
                    i += 1
                }
                return false
            default:  // number, true, false, null
                let start = i
                while i < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D]
                    .contains(bytes[i])
                {
                    i += 1
                }
                return i > start
            }
        }
    }
}

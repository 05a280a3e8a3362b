/// The exact bytes of one member of a JSON object, without decoding it:
/// integrator.io's `pagedExportState` is signed, so the binding sends back
/// the very text the server answered rather than a re-encoded copy (whose
/// key order or number spelling could differ).
///
/// The scan is structural (a string inside a record that looks like the
/// member is skipped as a string) and works on the bytes in place: an export
/// page of 1,000 records (~250 kB) takes a fraction of a millisecond.
enum RawJSONMember {
    /// The text of the value of top-level member `key` in the object `json`,
    /// or nil when `json` is not an object or has no such member.
    static func find(_ key: String, in json: [UInt8]) -> [UInt8]? {
        json.withUnsafeBytes { find(key, in: $0).map(Array.init) }
    }

    /// The same on bytes in place; the slice points into `json`.
    static func find(_ key: String, in json: UnsafeRawBufferPointer) -> Slice<UnsafeRawBufferPointer>? {
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
            if json[name].elementsEqual(wanted) { return json[start..<scanner.i] }
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            return nil
        }
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

        mutating func skipSpace() {
            while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        /// The range of a string's raw bytes between the quotes (escapes left as they are).
        mutating func stringBody() -> Range<Int>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = i
            return skipStringRest() ? start..<(i - 1) : nil
        }

        /// Past the closing quote of a string whose opening quote is behind `i`.
        mutating func skipStringRest() -> Bool {
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\\"): i += 2
                case UInt8(ascii: "\""):
                    i += 1
                    return true
                default: i += 1
                }
            }
            return false
        }

        /// Past one value of any kind; false when the text ends first.
        mutating func skipValue() -> Bool {
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                return skipStringRest()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < bytes.count {
                    switch bytes[i] {
                    case UInt8(ascii: "\""):
                        i += 1
                        guard skipStringRest() else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            return true
                        }
                    default: break
                    }
                    i += 1
                }
                return false
            default:  // number, true, false, null
                let start = i
                while i < bytes.count {
                    let byte = bytes[i]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                        || Self.isSpace(byte)
                    {
                        break
                    }
                    i += 1
                }
                return i > start
            }
        }
    }
}

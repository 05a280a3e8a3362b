import Testing
@testable import LunetJSON

/// JSONObject is a list of entries up to `indexedCount` keys and indexed by a
/// dictionary beyond: every behaviour is checked on both sides of that line.
@Suite("JSONObject")
struct JSONObjectTests {
    static let sizes = [3, JSONObject.indexedCount, JSONObject.indexedCount + 1, 40]

    static func object(_ count: Int) -> JSONObject {
        JSONObject((0..<count).map { ("k\($0)", JSONValue.integer(Int64($0))) })
    }

    @Test(arguments: sizes)
    func keepsInsertionOrderAndFindsEveryKey(_ count: Int) {
        let object = Self.object(count)
        #expect(object.count == count)
        #expect(object.keys == (0..<count).map { "k\($0)" })
        for i in 0..<count { #expect(object["k\(i)"] == .integer(Int64(i))) }
        #expect(object["missing"] == nil)
        #expect(Array(object.map(\.key)) == object.keys)
    }

    @Test(arguments: sizes)
    func replacingAValueKeepsItsPlace(_ count: Int) {
        var object = Self.object(count)
        object["k1"] = "changed"
        #expect(object.keys == (0..<count).map { "k\($0)" })
        #expect(object["k1"] == "changed")
        object["new"] = true
        #expect(object.keys.last == "new")
        #expect(object.count == count + 1)
    }

    @Test(arguments: sizes)
    func removingAKeyShiftsTheRest(_ count: Int) {
        var object = Self.object(count)
        object["k0"] = nil
        object["absent"] = nil
        #expect(object.count == count - 1)
        #expect(object.keys == (1..<count).map { "k\($0)" })
        for i in 1..<count { #expect(object["k\(i)"] == .integer(Int64(i))) }
        #expect(object["k0"] == nil)
        // Added again: at the end, found wherever the index stands now.
        object["k0"] = 0
        #expect(object.keys.last == "k0")
        #expect(object["k0"] == 0)
    }

    @Test func shrinkingBelowTheIndexedSizeStillFindsKeys() {
        var object = Self.object(JSONObject.indexedCount + 2)
        for i in 0..<6 { object["k\(i)"] = nil }
        #expect(object.count == JSONObject.indexedCount - 4)
        for i in 6..<(JSONObject.indexedCount + 2) { #expect(object["k\(i)"] == .integer(Int64(i))) }
        object["late"] = "x"
        #expect(object["late"] == "x")
    }

    @Test(arguments: sizes)
    func equalityAndHashIgnoreKeyOrder(_ count: Int) {
        let forward = Self.object(count)
        let backward = JSONObject((0..<count).reversed().map { ("k\($0)", JSONValue.integer(Int64($0))) })
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        var different = backward
        different["k2"] = "other"
        #expect(forward != different)
        var shorter = forward
        shorter["k0"] = nil
        #expect(forward != shorter)
        #expect(Set([JSONValue.object(forward), .object(backward)]).count == 1)
    }

    @Test func duplicateKeysInTextKeepTheFirstPlaceAndTheLastValue() throws {
        let value = try JSONValue.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(value.object?.keys == ["a", "b"])
        #expect(value["a"] == 3)
        #expect(value.serializedString() == #"{"a":3,"b":2}"#)
    }

    @Test func keysAreComparedAsStringsAre() {
        // Canonically equivalent spellings are one key, as they were in the
        // dictionary this replaced (and as in Swift's own dictionaries).
        var object: JSONObject = ["caf\u{E9}": 1]
        object["cafe\u{301}"] = 2
        #expect(object.count == 1)
        #expect(object["caf\u{E9}"] == 2)
    }
}

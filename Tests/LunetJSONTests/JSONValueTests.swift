import Testing
@testable import LunetJSON

@Suite("JSONValue")
struct JSONValueTests {
    @Test func parsesWithExactNumbersAndKeyOrder() throws {
        let v = try JSONValue.parse(#"{"b": 1, "a": [1.5, -9223372036854775808, 18446744073709551616, true, null], "s": "\u00e9\ud83d\ude00"}"#)
        #expect(v["b"] == .integer(1))
        #expect(v["a"]?[0] == .double(1.5))
        #expect(v["a"]?[1] == .integer(Int64.min))
        #expect(v["a"]?[2] == .double(18446744073709551616))
        #expect(v["a"]?[4] == .null)
        #expect(v["s"]?.string == "é😀")
        #expect(v.object?.keys == ["b", "a", "s"])
    }

    @Test func roundTrips() throws {
        let text = #"{"id":7,"ratio":0.1,"whole":5.0,"name":"a\"b\\c\n","list":[],"obj":{},"nothing":null}"#
        let v = try JSONValue.parse(text)
        #expect(v.serializedString() == text)
        #expect(try JSONValue.parse(v.serialized()) == v)
    }

    @Test func prettyOutput() {
        let v: JSONValue = ["a": [1, 2], "b": [:]]
        #expect(v.serializedString(pretty: true) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }

    @Test(arguments: [
        ("", "unexpected end of input at byte 1"),
        ("[1,]", "unexpected character at byte 4"),
        ("{\"a\" 1}", "expected ':' after object key at byte 6"),
        ("[1 2]", "expected ',' or ']' after array item at byte 4"),
        ("01", "trailing garbage at byte 2"),
        ("1.", "invalid number at byte 1"),
        ("\"\\ud800\"", "lone surrogate at byte 2"),
        ("\"\u{1}\"", "control character in string at byte 2"),
        ("tru", "unexpected end of input at byte 4"),
        ("[1] x", "trailing garbage at byte 5"),
        ("1e999", "number out of range at byte 1"),
    ])
    func rejectsMalformedInput(_ input: String, _ message: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(input) }
        do { _ = try JSONValue.parse(input) } catch { #expect(error.description == message) }
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
        }
    }
}

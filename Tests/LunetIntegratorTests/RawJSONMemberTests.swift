import Testing

@testable import LunetIntegrator

@Suite("integrator.io binding: a member's exact text")
struct RawJSONMemberTests {
    func find(_ key: String, _ json: String) -> String? {
        RawJSONMember.find(key, in: Array(json.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func findsTheTopLevelMemberAsSent() {
        let page = #"{"data":[{"note":"\"pagedExportState\":{\"x\":1}","pagedExportState":7},[1,{"]":"}"}]],"#
            + #" "dataURIs" : [null] , "pagedExportState" : {"pageIndex": 2,"sig":"a\"b","done":false} }"#
        #expect(find("pagedExportState", page) == #"{"pageIndex": 2,"sig":"a\"b","done":false}"#)
        #expect(find("dataURIs", page) == "[null]")
        #expect(find("data", #"{"data":-1.5e3}"#) == "-1.5e3")
        #expect(find("done", #"{"done":true}"#) == "true")
        #expect(find("s", #"{"s":"\\"}"#) == #""\\""#)
    }

    @Test func missingMembersAndMalformedTextGiveNil() {
        #expect(find("pagedExportState", #"{"data":[{"pagedExportState":1}]}"#) == nil)
        #expect(find("x", "[1,2]") == nil)
        #expect(find("x", #"{"a":[1,2"#) == nil)
        #expect(find("x", #"{"x":"open"#) == nil)
        #expect(find("x", "") == nil)
        #expect(find("x", #"{"x":}"#) == nil)
    }
}

import LunetJSON
import Testing
@testable import LunetICL

@Suite("iCL emulator: OData $filter and $orderby")
struct ODataTests {
    let items: [JSONObject] = [
        ["title": "Hansonstrasse 12", "externalId": "HG", "floors": 7, "ort": "Wien", "area": 1520.5],
        ["title": "Nebengebäude", "externalId": "NB", "floors": 2, "ort": "Graz", "area": .null],
        ["title": "Lager O'Brien", "externalId": "LO", "floors": 1, "ort": "wien"],
    ]

    func ids(_ filter: String) throws -> [String] {
        let f = try ODataFilter(filter)
        return items.filter(f.matches).compactMap { $0["externalId"]?.string }
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try ids("ExternalId eq 'HG'") == ["HG"])
        #expect(try ids("ExternalId ne 'HG'") == ["NB", "LO"])
        #expect(try ids("Floors gt 1") == ["HG", "NB"])
        #expect(try ids("Floors ge 2 and Floors le 2") == ["NB"])
        #expect(try ids("Floors lt 2 or ExternalId eq 'HG'") == ["HG", "LO"])
        #expect(try ids("not (Floors gt 1)") == ["LO"])
        #expect(try ids("Area eq null") == ["NB", "LO"])
        #expect(try ids("Area gt 1000.0") == ["HG"])
        #expect(try ids("(ExternalId eq 'HG' or ExternalId eq 'NB') and Floors gt 2") == ["HG"])
    }

    @Test func stringFunctionsFromTheSeed() throws {
        #expect(try ids("substringof('hansonstrasse',tolower(Title))") == ["HG"])
        #expect(try ids("substringof('wien',tolower(Ort))") == ["HG", "LO"])
        #expect(try ids("startswith(Title,'Neben')") == ["NB"])
        #expect(try ids("endswith(Title,'12')") == ["HG"])
        #expect(try ids("Title eq 'Lager O''Brien'") == ["LO"])
        #expect(try ids("length(ExternalId) eq 2 and indexof(Title,'strasse') eq 6") == ["HG"])
        #expect(try ids("toupper(Ort) eq 'WIEN'") == ["HG", "LO"])
        // query-string form: '+' for spaces
        #expect(try ids("Floors+gt+1+and+Ort+eq+'Graz'") == ["NB"])
    }

    @Test func reportsThePropertiesUsed() throws {
        #expect(try ODataFilter("substringof('x',tolower(Title)) or ExternalId eq 'a'").properties == ["Title", "ExternalId"])
    }

    @Test(arguments: [
        ("Title eq", "invalid $filter at character 9: expression expected"),
        ("title eq 'x'", "invalid $filter at character 1: property 'title' must start with a capital letter (OData v3)"),
        ("frobnicate(Title)", "invalid $filter at character 1: unknown function 'frobnicate'"),
        ("substringof('x')", "invalid $filter at character 17: substringof takes 2 arguments, got 1"),
        ("Title eq 'open", "invalid $filter at character 15: unterminated string"),
        ("(Title eq 'x'", "invalid $filter at character 14: ')' expected"),
        ("Title eq 'x' Floors", "invalid $filter at character 14: unexpected 'Floors'"),
    ])
    func rejectsBadFilters(_ filter: String, _ message: String) {
        #expect(throws: ODataError(message: message)) { try ODataFilter(filter) }
    }

    @Test func orderBy() throws {
        let byFloorsDesc = try ODataOrder("Floors desc")
        #expect(items.sorted(by: byFloorsDesc.precedes).compactMap { $0["externalId"]?.string } == ["HG", "NB", "LO"])
        let byOrtThenTitle = try ODataOrder("Ort, Title desc")
        #expect(items.sorted(by: byOrtThenTitle.precedes).compactMap { $0["externalId"]?.string } == ["NB", "HG", "LO"])
        #expect(throws: ODataError.self) { try ODataOrder("Title sideways") }
    }
}

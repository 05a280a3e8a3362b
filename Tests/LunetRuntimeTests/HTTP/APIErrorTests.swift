import Foundation
import LunetBridge
import LunetJSON
import Testing
@testable import LunetRuntime

@Suite("HTTP errors")
struct APIErrorTests {
    @Test func everyShapeYieldsCodeAndMessage() throws {
        func extract(_ shape: ErrorShape, _ json: String) throws -> ErrorShape.Extracted? {
            shape.extract(try JSONValue.parse(json))
        }
        let abp = try extract(.abp, """
            {"result":null,"success":false,"__abp":true,"error":{"code":0,"message":"Your request is not valid!",
             "details":"The following errors were detected during validation.",
             "validationErrors":[{"message":"The field 'strasse' is required","members":["strasse"]},
                                 {"message":"Too long","members":["plz"]}]}}
            """)
        #expect(abp?.code == nil)
        #expect(abp?.message == "The field 'strasse' is required; Too long (plz)")
        let abpPlain = try extract(.abp, #"{"error":{"code":4711,"message":"Building HG not found","details":null}}"#)
        #expect(abpPlain?.code == "4711")
        #expect(abpPlain?.message == "Building HG not found")

        #expect(try extract(.iconect, #"{"iconect_error":"Project 322 does not exist"}"#)?.message == "Project 322 does not exist")
        #expect(try extract(.iconect, #"{"iconect_ok":"fine"}"#) == nil)

        let integrator = try extract(.integrator, #"{"errors":[{"code":"invalid_ref","message":"bad id","field":"_connectionId"},{"code":"x","message":"second"}]}"#)
        #expect(integrator?.code == "invalid_ref")
        #expect(integrator?.message == "_connectionId: bad id; second")
        #expect(try extract(.integrator, #"{"message":"Unauthorized"}"#)?.message == "Unauthorized")

        #expect(try extract(.coreData, #"{"error":"No such project"}"#)?.message == "No such project")
        #expect(try extract(.coreData, #"{"error":"No such project"}"#)?.code == nil)

        let oauth = try extract(.oauth, #"{"error":"invalid_grant","error_description":"refresh token already used"}"#)
        #expect(oauth?.code == "invalid_grant")
        #expect(oauth?.message == "refresh token already used")
        #expect(try extract(.oauth, #"{"error":"invalid_client"}"#)?.message == "invalid_client")

        #expect(try extract(.generic, #"{"detail":"Gone for good","title":"Gone"}"#)?.message == "Gone for good")
        // Each API's standard shape also reads token endpoint errors.
        #expect(try extract(.standard(for: .iconect), #"{"error":"invalid_grant"}"#)?.code == "invalid_grant")
    }

    @Test(arguments: [
        ("abp", APIName.icl, "The field 'strasse' is required", nil as String?),
        ("iconect", .iconect, "Project 322 does not exist", nil),
        ("integrator", .integrator, "_connectionId: bad ref", "invalid_ref"),
        ("integrator401", .integrator, "Unauthorized", nil),
        ("coredata", .coredata, "No such project", nil),
        ("oauth", .iconect, "refresh token already used", "invalid_grant"),
        ("text", .http, "upstream said no", nil),
    ])
    func errorsFromTheWire(shape: String, api: APIName, message: String, code: String?) async throws {
        try await withTestServer { server in
            let client = APIClient(api: api, baseURL: URL(string: server.base)!, engine: makeEngine())
            let wireMessage = shape == "integrator" ? "bad ref" : message
            let error = await apiError {
                try await client.send(client.request(
                    .post, "/test/status/400",
                    query: [QueryItem("shape", shape), QueryItem("message", wireMessage), QueryItem("request_id", "req-42")],
                    body: .json(["x": 1])))
            }
            let e = try #require(error)
            #expect(e.api == api)
            #expect(e.status == 400)
            #expect(e.message == message)
            #expect(e.code == code)
            #expect(e.requestID == "req-42")
            #expect(e.retryable == false)
            #expect(e.attempts == 1)
            #expect(e.url == server.base + "/test/status/400?shape=\(shape)&message=\(QueryItem.encode(wireMessage))&request_id=req-42")
            #expect(e.description == "\(api): POST /test/status/400: 400 Bad Request: \(message)")
            if shape == "text" { #expect(e.body == .string(message)) } else { #expect(e.body?.object != nil) }
        }
    }

    @Test func descriptionIsOneLine() {
        let e = APIError(
            api: .icl, method: "PUT", url: "https://dev.iclportal.com/api/content/building/batch?ignoreErrors=true",
            status: 400, message: "The field 'strasse' is required")
        #expect(e.description == "icl: PUT /api/content/building/batch: 400 Bad Request: The field 'strasse' is required")
        let transport = APIError(
            api: .coredata, method: "GET", url: "https://cd.example/api/v2/projects/", message: "cannot connect to cd.example:443: connection refused",
            retryable: true, attempts: 5, transport: .connect)
        #expect(transport.description == "coredata: GET /api/v2/projects/: cannot connect to cd.example:443: connection refused (after 5 attempts)")
        let bare = APIError(api: .http, method: "GET", url: "http://h/x", status: 404, message: "404 Not Found")
        #expect(bare.description == "http: GET /x: 404 Not Found")
        let redacted = APIError(api: .integrator, method: "GET", url: "https://api.integrator.io/v1/flows?token=••••#x", status: 403, message: "Forbidden")
        #expect(redacted.description == "integrator: GET /v1/flows: 403 Forbidden")
        #expect(APIError(api: .http, method: "GET", url: "https://h", message: "m").description == "http: GET /: m")
    }

    @Test func apiErrorIsALunetErrorInLua() throws {
        let lua = LuaState()
        let error = APIError(
            api: .icl, method: "PUT", url: "https://dev.iclportal.com/api/content/building/batch", status: 400,
            code: "4711", message: "The field 'strasse' is required",
            body: ["error": ["code": 4711, "details": nil, "validationErrors": [["members": ["strasse"]]]]],
            retryable: false, attempts: 1, requestID: "abc-1")
        lua.pushFunction("icl.fail") { _ in throw error }
        lua.setGlobal("fail")
        let base = lua.top
        try lua.load("""
            local ok, e = pcall(fail)
            local ok2, e2 = pcall(fail)
            local nullish = e.body.error.details
            return ok, getmetatable(e).__name, tostring(e), e.api, e.method, e.url, e.status, e.code, e.message,
                e.retryable, e.attempts, e.request_id, e.body.error.code, e.body.error.validationErrors[1].members[1],
                getmetatable(e) == getmetatable(e2), type(e), type(nullish), e.body.error.details == nil
            """, name: "=test")
        try lua.call()
        let values = try (base + 1...lua.top).map { try LuaValue.read(lua.L, $0) }
        lua.top = base
        #expect(values[0] == false)
        #expect(values[1] == "lunet.Error")
        #expect(values[2] == "icl: PUT /api/content/building/batch: 400 Bad Request: The field 'strasse' is required")
        #expect(values[3] == "icl")
        #expect(values[4] == "PUT")
        #expect(values[5] == "https://dev.iclportal.com/api/content/building/batch")
        #expect(values[6] == 400)
        #expect(values[7] == "4711")
        #expect(values[8] == "The field 'strasse' is required")
        #expect(values[9] == false)
        #expect(values[10] == 1)
        #expect(values[11] == "abc-1")
        #expect(values[12] == 4711)
        #expect(values[13] == "strasse")
        #expect(values[14] == true)
        #expect(values[15] == "table")
        #expect(values[16] == "userdata")  // JSON null, as lua-cjson's null
        #expect(values[17] == false)

        // Uncaught, it ends the chunk with the one-line message; a script
        // can also rethrow it, and a transport error has no status.
        let transport = APIError(api: .coredata, method: "GET", url: "https://cd/x/", message: "connection refused", retryable: true, attempts: 3, transport: .connect)
        lua.pushFunction("cd.fail") { _ in throw transport }
        lua.setGlobal("cdfail")
        #expect(throws: LuaScriptError.self) { try lua.run("cdfail()") }
        do {
            try lua.run("local ok, e = pcall(cdfail); assert(e.status == nil and e.retryable == true); error(e)")
        } catch {
            #expect(error.message == "coredata: GET /x/: connection refused (after 3 attempts)")
        }
    }

    /// A connection's `timeout` bounds one attempt of a request held in
    /// memory, not a download streamed to disk (docs/config.md).
    @Test func connectionTimeoutIsNotAppliedToDownloads() {
        var client = APIClient(api: .icl, baseURL: URL(string: "http://127.0.0.1:1")!, engine: makeEngine())
        client.timeout = .seconds(5)
        client.retries = 2
        let get = client.request(.get, "/x")
        #expect(client.applyingLimits(get).timeout == .seconds(5))
        #expect(client.applyingLimits(get).maxAttempts == 3)
        #expect(client.applyingLimits(get, streamed: true).timeout == nil)
        #expect(client.applyingLimits(get, streamed: true).maxAttempts == 3)
    }
}

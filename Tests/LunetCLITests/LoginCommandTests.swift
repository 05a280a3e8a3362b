import Foundation
import Testing

/// `lunet login iconect`: the authorization-code flow against the sandbox's
/// identity provider, which approves at once, so the test plays the browser
/// with curl: it reads the printed URL, fetches it, and either follows the
/// redirect to the loopback listener or pastes the redirect URL on stdin.
@Suite("lunet login")
struct LoginCommandTests {
    enum Browser { case loopback, paste, pasteForged }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var url: String
        var credentials: [String: Any]?
        var mode: Int?
    }

    /// Runs `lunet login` with `arguments`, acting as the browser.
    static func login(_ arguments: [String], browser: Browser, environment: [String: String], home: URL) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try loginBlocking(arguments, browser: browser, environment: environment, home: home)
                })
            }
        }
    }

    private static func loginBlocking(_ arguments: [String], browser: Browser, environment: [String: String], home: URL) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LunetProcess.binary)
        process.arguments = ["login"] + arguments + ["--no-browser"]
        var env = ProcessInfo.processInfo.environment
        env["XDG_STATE_HOME"] = home.appending(path: "state").path
        env["XDG_CONFIG_HOME"] = home.appending(path: "config").path
        env["LUNET_CONFIG"] = ""
        env["LUNET_PROFILE"] = ""
        for (k, v) in env where k.hasPrefix("ICONECT_") { env[k] = nil; _ = v }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read stdout until the authorize URL has been printed.
        var printed = Data()
        var url = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
            let text = String(decoding: printed, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("/openid/authorize?") }), text.contains("press Enter") {
                url = line.trimmingCharacters(in: .whitespaces)
                break
            }
        }
        switch browser {
        case .loopback:
            _ = try curl(["-s", "-L", "-o", "/dev/null", url])
        case .paste, .pasteForged:
            var redirect = try curl(["-s", "-o", "/dev/null", "-w", "%{redirect_url}", url])
            if browser == .pasteForged, let range = redirect.range(of: "state=") {
                redirect = String(redirect[..<range.upperBound]) + "forged"
            }
            input.fileHandleForWriting.write(Data("not a url\n\(redirect)\n".utf8))
        }
        try input.fileHandleForWriting.close()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = home.appending(path: "state/lunet/credentials.json").path
        var credentials: [String: Any]? = nil
        var mode: Int? = nil
        if let data = FileManager.default.contents(atPath: path) {
            credentials = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["entries"] as? [String: Any]
            mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: printed + rest, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self), url: url, credentials: credentials, mode: mode)
    }

    @discardableResult
    static func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--max-time", "20"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func entry(_ outcome: Outcome, _ key: String) -> [String: Any]? { outcome.credentials?[key] as? [String: Any] }

    @Test func loopbackRedirectStoresTokens() async throws {
        let home = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let r = try await Self.login(["iconect", "--sandbox"], browser: .loopback, environment: [:], home: home)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.url.contains("code_challenge_method=S256"))
        #expect(r.url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"))
        #expect(r.stdout.contains("Signed in. Tokens for iconect/sandbox are stored in"))
        let stored = try #require(Self.entry(r, "iconect/sandbox"))
        let access = try #require(stored["access_token"] as? String)
        let refresh = try #require(stored["refresh_token"] as? String)
        #expect(r.mode == 0o600)
        #expect(!r.stdout.contains(access) && !r.stderr.contains(access))
        #expect(!r.stdout.contains(refresh) && !r.stderr.contains(refresh))
    }

    /// A profile pointing at a separate sandbox process: the pasted redirect
    /// is used, and the stored refresh token really works afterwards.
    @Test func pastedRedirectWithAProfile() async throws {
        let home = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let (sandbox, base) = try Self.startSandbox()
        defer { sandbox.terminate(); sandbox.waitUntilExit() }
        try home.write("""
            return { profiles = { work = { iconect = {
              identity_url = "\(base)/iconect/identity", client_id = "lunet-sandbox" } } } }
            """, to: "config/lunet/config.lua")
        let r = try await Self.login(
            ["iconect", "--profile", "work"], browser: .paste,
            environment: ["LUNET_CONFIG": home.appending(path: "config/lunet/config.lua").path], home: home)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.url.hasPrefix(base + "/iconect/identity/openid/authorize?"))
        #expect(r.stderr.contains("that is not the redirect address"))
        let stored = try #require(Self.entry(r, "iconect/work"))
        let refresh = try #require(stored["refresh_token"] as? String)
        let answer = try Self.curl([
            "-s", "-d", "grant_type=refresh_token", "-d", "client_id=lunet-sandbox", "--data-urlencode", "refresh_token=\(refresh)",
            base + "/iconect/identity/openid/token",
        ])
        #expect(answer.contains("\"access_token\""), "\(answer)")
    }

    @Test func aRedirectWithAnotherStateIsRefused() async throws {
        let home = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let r = try await Self.login(["iconect", "--sandbox"], browser: .pasteForged, environment: [:], home: home)
        #expect(r.status == 1)
        #expect(r.stderr.contains("login failed: the redirect's 'state' does not match this sign-in"), "\(r.stderr)")
        #expect(r.credentials == nil)
    }

    @Test func onlyIconectAndAConfiguredIdentityProvider() async throws {
        let home = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let other = try await LunetProcess.run(["login", "icl"])
        #expect(other.status == 64 || other.status == 2)
        #expect(other.stderr.contains("lunet login knows the service 'iconect' only, got 'icl'"))
        let missing = try await LunetProcess.run(
            ["login", "iconect", "--no-browser"],
            environment: ["LUNET_CONFIG": "", "XDG_CONFIG_HOME": home.path, "XDG_STATE_HOME": home.path, "ICONECT_CLIENT_ID": "x",
                          "ICONECT_IDENTITY_URL": ""])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("option 'identity_url' is required"), "\(missing.stderr)")
    }

    /// `lunet sandbox` on a free port; its base URL from the line it prints.
    static func startSandbox() throws -> (Process, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LunetProcess.binary)
        process.arguments = ["sandbox"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "http://127.0.0.1:[0-9]+", options: .regularExpression) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        return (process, String(text[range]))
    }
}

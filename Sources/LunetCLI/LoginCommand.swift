import ArgumentParser
import Foundation
import LunetIConect
import LunetRuntime
import LunetSandbox

/// `lunet login iconect [--profile P] [--port N] [--sandbox]`: the OpenID
/// Connect authorization-code flow with PKCE for a person at a keyboard.
/// Prints the authorize URL, waits for the browser's redirect on a loopback
/// listener and, at the same time, for the redirect URL pasted on stdin
/// (when the browser runs on another machine), checks `state`, redeems the
/// code and stores the tokens in the credential store (0600, atomic), where
/// `grant = "authorization_code"` finds them. docs/iconect-auth.md.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in with a browser and store the tokens (iconect: authorization code with PKCE).",
        discussion: """
            Prints the sign-in URL and waits on http://127.0.0.1:PORT/callback for the browser's redirect; \
            where no browser can reach this machine, paste the URL the browser ends up on. Tokens go to \
            $XDG_STATE_HOME/lunet/credentials.json under SERVICE/PROFILE; scripts use them with \
            grant = "authorization_code" and renew them silently. With --sandbox the flow runs against an \
            in-process sandbox (profile "sandbox"), which approves at once.
            """
    )

    @Argument(help: "The service to sign in to: iconect.")
    var service: String

    @Option(help: ArgumentHelp("Use configuration profile NAME (else LUNET_PROFILE, default_profile, default).", valueName: "NAME"))
    var profile: String?

    @Option(help: ArgumentHelp("Listen for the redirect on 127.0.0.1:PORT (default: redirect_port, else a free port).", valueName: "PORT"))
    var port: Int?

    @Flag(help: "Sign in to an in-process sandbox instead of the configured identity provider.")
    var sandbox = false

    @Flag(name: .customLong("no-browser"), help: "Do not try to open a browser; only print the URL.")
    var noBrowser = false

    /// How long to wait for the redirect.
    static let patience: TimeInterval = 600

    func validate() throws {
        guard service == "iconect" else {
            throw ValidationError("lunet login knows the service 'iconect' only, got '\(service)' (the other APIs take keys or client credentials in the profile)")
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535, got \(port)") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var server: SandboxServer? = nil
        defer { if let server { _ = try? blockingAwait { await server.stop() } } }
        let options: ResolvedOptions
        let profileName: String
        do {
            if sandbox {
                let started = try blockingAwait { try await SandboxServer.start(SandboxOptions(seed: nil, modules: APIs.sandboxModules)) }
                server = started
                options = Self.sandboxOptions(started.baseURL)
                profileName = "sandbox"
            } else {
                let configuration = try Configuration.load(environment: environment, profileFlag: profile)
                options = try configuration.resolve(service: .iconect, profile: profile)
                profileName = options.profile ?? profile ?? "default"
            }
        } catch let error as ConfigError {
            Diagnostics.error(error.message)
            throw ExitCode(ExitStatus.usage)
        } catch {
            Diagnostics.error("cannot start the sandbox: \(error)")
            throw ExitCode(ExitStatus.usage)
        }

        let engine = HTTPEngine()
        let listener: LoopbackRedirectListener
        let flow: AuthorizationCodeFlow
        do {
            listener = try LoopbackRedirectListener(port: port ?? options["redirect_port"]?.value.integer.map(Int.init) ?? 0)
            flow = try IConectAuth.loginFlow(options, engine: engine, redirectURI: listener.redirectURI)
        } catch let error as ConfigError {
            Diagnostics.error(error.message)
            throw ExitCode(ExitStatus.usage)
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode(ExitStatus.usage)
        }
        defer { listener.close() }

        Self.say("""
            Sign in to iCONECT (profile \(profileName)) by opening this URL in a browser:

              \(flow.url.absoluteString)

            Waiting for the browser's redirect to \(listener.redirectURI).
            If the browser runs on another machine, paste the address it ends up on here and press Enter:

            """)
        if !noBrowser { Self.openBrowser(flow.url, environment) }

        let arrival = Arrival()
        listener.start(page: { target in
            do {
                _ = try flow.code(fromRedirect: target)
                return (200, "Signed in. You can close this window and return to lunet.")
            } catch {
                return (400, "Sign-in failed: \(error)")
            }
        }, done: { arrival.offer($0) })
        Thread.detachNewThread { Self.readPasted(arrival) }

        guard let redirect = arrival.wait(seconds: Self.patience) else {
            Diagnostics.error("no sign-in arrived within \(Int(Self.patience / 60)) minutes; run `lunet login iconect` again")
            throw ExitCode(ExitStatus.scriptError)
        }
        listener.close()
        let key = IConectAuth.credentialKey(profile: profileName)
        let store = CredentialStore(environment: environment)
        do {
            let code = try flow.code(fromRedirect: redirect)
            let tokens = try blockingAwait { try await flow.exchange(code: code) }
            try blockingAwait { try await store.set(key, CredentialEntry(tokens: tokens, updatedAt: Date())) }
            if tokens.refreshToken == nil {
                Diagnostics.error("warning: the identity provider issued no refresh token; the login lasts as long as its access token")
            }
        } catch {
            Diagnostics.error("login failed: \(error)")
            throw ExitCode(ExitStatus.scriptError)
        }
        Self.say("Signed in. Tokens for \(key) are stored in \(store.path); connect with grant = \"authorization_code\".\n")
    }

    /// The in-process sandbox's identity provider and OAuth client: the
    /// binding's sandbox options, less its password grant.
    static func sandboxOptions(_ base: String) -> ResolvedOptions {
        var options = ResolvedOptions(service: .iconect, profile: "sandbox")
        let schema = ServiceName.iconect.schema
        for (name, value) in IConectBinding.sandboxOptions(base)
        where ["identity_url", "client_id", "client_secret", "scope"].contains(name) {
            options.options[name] = ResolvedOption(
                value: value, origin: .explicit, isSecret: schema.option(name)?.isSecret ?? false)
        }
        return options
    }

    /// Lines from stdin until one looks like the redirect (EOF: keep
    /// waiting for the loopback listener).
    private static func readPasted(_ arrival: Arrival) {
        while let line = readLine(strippingNewline: true) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text.contains("state=") || text.contains("code=") || text.contains("error=") {
                arrival.offer(text)
                return
            }
            Diagnostics.error("that is not the redirect address (it has code= and state= in it); paste the whole address from the browser")
        }
    }

    private static func say(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Only where a browser can show up: macOS, $BROWSER, or a desktop
    /// session with xdg-open. Over SSH the URL is printed and nothing else.
    private static func openBrowser(_ url: URL, _ environment: [String: String]) {
        var command: [String]? = nil
        if let browser = environment["BROWSER"], !browser.isEmpty {
            command = [browser]
        } else {
            #if os(macOS)
            command = ["/usr/bin/open"]
            #else
            let desktop = !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
            if desktop, let path = (environment["PATH"] ?? "").split(separator: ":").map({ $0 + "/xdg-open" })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
            {
                command = [path]
            }
            #endif
        }
        guard let command else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command + [url.absoluteString]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}

/// The first redirect to arrive, from the listener or from stdin.
private final class Arrival: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    private let signal = DispatchSemaphore(value: 0)

    func offer(_ redirect: String) {
        lock.lock()
        defer { lock.unlock() }
        guard value == nil else { return }
        value = redirect
        signal.signal()
    }

    func wait(seconds: TimeInterval) -> String? {
        guard signal.wait(timeout: .now() + seconds) == .success else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
